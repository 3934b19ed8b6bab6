// Consume benchmark for RabbitMQ streams: records/s through the rabbit
// stream_reader versus a bare rabbitmq-c consumer (one channel, a consumer per
// member stream, the same prefetch, acks every 500 deliveries) reading the
// same messages of the same super stream in the same run.
//
//   build/bench/rabbit_consume_bench --rabbit rabbitmq-stream://127.0.0.1:5552
//       --amqp 127.0.0.1:5672 [--partitions 3] [--events 150000] [--rounds 3]
// (scripts/bench starts a private RabbitMQ node and passes both.)

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include "adapters/rabbit/rabbit_producer.hpp"
#include "adapters/rabbit/rabbit_reader.hpp"
#include "core/errc.hpp"
#include "core/event_generator.hpp"

using namespace sv;
using clock_type = std::chrono::steady_clock;

namespace {

struct result {
  double seconds = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "rabbit_consume_bench: %s\n", what.c_str());
  std::exit(1);
}

constexpr uint16_t prefetch = 2000;

result bare_rabbitmq_c(const core::stream::rabbit_endpoint& ep, const std::string& stream,
                       int partitions, uint64_t expect) {
  auto conn = amqp_new_connection();
  auto* sock = amqp_tcp_socket_new(conn);
  if (amqp_socket_open(sock, ep.amqp_host.c_str(), ep.amqp_port) != AMQP_STATUS_OK)
    die("cannot connect");
  if (amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, ep.username.c_str(),
                 ep.password.c_str())
          .reply_type != AMQP_RESPONSE_NORMAL)
    die("login refused");
  amqp_channel_open(conn, 1);
  amqp_basic_qos(conn, 1, 0, prefetch, 0);
  result r;
  auto start = clock_type::now();
  for (int p = 0; p < partitions; ++p) {
    auto q = stream + "-" + std::to_string(p);
    amqp_table_entry_t arg;
    arg.key = amqp_cstring_bytes("x-stream-offset");
    arg.value.kind = AMQP_FIELD_KIND_I64;
    arg.value.value.i64 = 0;
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(q.c_str()), amqp_empty_bytes, 0, 0, 0,
                       amqp_table_t{1, &arg});
    if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL)
      die("consume refused");
  }
  uint64_t unacked = 0;
  while (r.records < expect) {
    amqp_maybe_release_buffers(conn);
    amqp_envelope_t env;
    timeval tv{10, 0};
    auto rep = amqp_consume_message(conn, &env, &tv, 0);
    if (rep.reply_type != AMQP_RESPONSE_NORMAL) die("consume failed");
    ++r.records;
    r.bytes += env.message.body.len;
    if (++unacked >= 500) {
      amqp_basic_ack(conn, 1, env.delivery_tag, 1);
      unacked = 0;
    }
    amqp_destroy_envelope(&env);
  }
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
  return r;
}

result through_reader(const core::stream::rabbit_endpoint& ep, const std::string& stream,
                      uint64_t expect) {
  adapters::rabbit_reader_config cfg;
  cfg.endpoint = ep;
  cfg.super_stream = stream;
  cfg.prefetch = prefetch;
  auto reader = adapters::open_rabbit_reader(cfg);
  if (!reader) die(core::error_message(reader.error()));
  auto ps = (*reader)->partitions(std::chrono::seconds{10});
  if (!ps) die(core::error_message(ps.error()));
  core::offset_map start_at;
  for (const auto& p : *ps) start_at[p] = 0;
  result r;
  auto start = clock_type::now();
  if (auto err = (*reader)->assign(start_at)) die(core::error_message(err));
  adapters::record_batch batch;
  while (r.records < expect) {
    auto n = (*reader)->poll(batch, 10000, std::chrono::milliseconds{100});
    if (!n) die(core::error_message(n.error()));
    for (const auto& rec : batch.records) r.bytes += rec.value.size();
    r.records += *n;
  }
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string uri, amqp;
  int partitions = 3, rounds = 3;
  uint64_t events = 150000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--rabbit")
      uri = v;
    else if (k == "--amqp")
      amqp = v;
    else if (k == "--partitions")
      partitions = std::stoi(v);
    else if (k == "--events")
      events = std::stoull(v);
    else if (k == "--rounds")
      rounds = std::stoi(v);
    else
      die("unknown option " + k);
  }
  if (uri.empty()) die("--rabbit URI is required");
  auto props = core::json::make_object({});
  if (!amqp.empty()) props.set("amqpUri", "amqp://" + amqp);
  auto ep = core::stream::parse_rabbit_endpoint(
      uri, &props.as_object(), [](const std::string&) { return std::nullopt; });
  if (!ep) die(core::error_message(ep.error()));

  auto stream = "bench_" + std::to_string(::getpid());
  auto producer = adapters::open_rabbit_producer(*ep);
  if (!producer) die(core::error_message(producer.error()));
  if (auto err = (*producer)->create_super_stream(stream, partitions))
    die(core::error_message(err));
  core::event_generator gen{"bench", 1};
  std::string e;
  for (uint64_t i = 0; i < events; ++i) {
    e.clear();
    gen.next(e, core::utc_now());
    if (auto err = (*producer)->publish(stream, static_cast<int32_t>(i % partitions), e))
      die(core::error_message(err));
  }
  if (auto err = (*producer)->flush(std::chrono::seconds{120}))
    die(core::error_message(err));
  std::printf("%llu events (%d partitions) in super stream %s\n",
              static_cast<unsigned long long>(events), partitions, stream.c_str());

  std::vector<double> bare, ours;
  for (int round = 0; round < rounds; ++round) {
    // Alternate the order so neither side always reads a warmer broker.
    auto a = round % 2 == 0 ? bare_rabbitmq_c(*ep, stream, partitions, events)
                            : through_reader(*ep, stream, events);
    auto b = round % 2 == 0 ? through_reader(*ep, stream, events)
                            : bare_rabbitmq_c(*ep, stream, partitions, events);
    auto& rb = round % 2 == 0 ? a : b;
    auto& ro = round % 2 == 0 ? b : a;
    bare.push_back(static_cast<double>(rb.records) / rb.seconds);
    ours.push_back(static_cast<double>(ro.records) / ro.seconds);
    std::printf(
        "round %d: bare rabbitmq-c %.0f records/s (%.1f MB/s), reader %.0f records/s "
        "(%.1f MB/s)\n",
        round + 1, bare.back(), static_cast<double>(rb.bytes) / rb.seconds / 1e6,
        ours.back(), static_cast<double>(ro.bytes) / ro.seconds / 1e6);
  }
  auto mb = median(bare), mo = median(ours);
  std::printf(
      "median: bare rabbitmq-c %.0f records/s, reader %.0f records/s, ratio %.2f\n", mb,
      mo, mo / mb);
  (void)(*producer)->delete_super_stream(stream, partitions);
  return 0;
}
