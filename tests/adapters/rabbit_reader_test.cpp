// The RabbitMQ Stream reader and producer on a real RabbitMQ node
// (STREAMVISOR_TEST_RABBIT, STREAMVISOR_TEST_RABBIT_STREAM: scripts/test
// starts one).

#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdlib>
#include <map>

#include "adapters/errc.hpp"
#include "adapters/rabbit/rabbit_producer.hpp"
#include "adapters/rabbit/rabbit_reader.hpp"
#include "core/errc.hpp"

using namespace sv;
using namespace std::chrono_literals;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  REQUIRE_MESSAGE(v != nullptr,
                  name << " is not set: run scripts/test, which starts RabbitMQ");
  return v;
}

core::stream::rabbit_endpoint endpoint(const std::string& user = "guest",
                                       const std::string& pass = "guest") {
  auto amqp = env("STREAMVISOR_TEST_RABBIT");
  auto at = amqp.find('@');
  auto props = core::json::make_object({{"amqpUri", "amqp://" + amqp.substr(at + 1)},
                                        {"username", user},
                                        {"password", pass}});
  auto e = core::stream::parse_rabbit_endpoint(
      env("STREAMVISOR_TEST_RABBIT_STREAM"), &props.as_object(),
      [](const std::string&) { return std::nullopt; });
  REQUIRE(e);
  return *e;
}

std::string unique_stream(const std::string& prefix) {
  static int n = 0;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

// A super stream of `partitions` with `per_partition` messages "p<i>-<n>" each.
std::string make_stream(int32_t partitions, int per_partition) {
  auto name = unique_stream("svr");
  auto prod = adapters::open_rabbit_producer(endpoint());
  REQUIRE(prod);
  REQUIRE_FALSE((*prod)->create_super_stream(name, partitions));
  for (int n = 0; n < per_partition; ++n)
    for (int32_t p = 0; p < partitions; ++p)
      REQUIRE_FALSE(
          (*prod)->publish(name, p, "p" + std::to_string(p) + "-" + std::to_string(n)));
  REQUIRE_FALSE((*prod)->flush(30s));
  CHECK((*prod)->confirmed() == static_cast<uint64_t>(partitions * per_partition));
  return name;
}

std::unique_ptr<adapters::stream_reader> reader(
    const std::string& super_stream, core::stream::rabbit_endpoint ep = endpoint()) {
  adapters::rabbit_reader_config cfg;
  cfg.endpoint = std::move(ep);
  cfg.super_stream = super_stream;
  auto r = adapters::open_rabbit_reader(cfg);
  REQUIRE(r);
  return std::move(*r);
}

// Polls until `n` records arrived or 20 s passed; values by partition.
std::map<std::string, std::vector<std::pair<core::stream_offset, std::string>>> read_n(
    adapters::stream_reader& r, size_t n) {
  std::map<std::string, std::vector<std::pair<core::stream_offset, std::string>>> out;
  size_t got = 0;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  adapters::record_batch batch;
  while (got < n && std::chrono::steady_clock::now() < deadline) {
    auto k = r.poll(batch, 1000, 200ms);
    REQUIRE_MESSAGE(k, core::error_message(k.error()));
    for (const auto& rec : batch.records)
      out[batch.partition_of(rec)].emplace_back(rec.offset, std::string{rec.value});
    got += *k;
  }
  CHECK(got == n);
  return out;
}

}  // namespace

TEST_CASE("rabbit reader: partitions, offsets, and every record once in order") {
  auto name = make_stream(3, 100);
  auto r = reader(name);
  auto ps = r->partitions(10s);
  REQUIRE(ps);
  CHECK(*ps == std::vector<std::string>{name + "-0", name + "-1", name + "-2"});
  auto earliest = r->earliest_offsets(*ps, 10s);
  auto latest = r->latest_offsets(*ps, 10s);
  REQUIRE(earliest);
  REQUIRE(latest);
  for (const auto& p : *ps) {
    CHECK((*earliest)[p] == 0);
    CHECK((*latest)[p] == 100);
  }
  core::offset_map start;
  for (const auto& p : *ps) start[p] = 0;
  REQUIRE_FALSE(r->assign(start));
  auto got = read_n(*r, 300);
  for (int32_t p = 0; p < 3; ++p) {
    const auto& recs = got[name + "-" + std::to_string(p)];
    REQUIRE(recs.size() == 100);
    for (int n = 0; n < 100; ++n) {
      CHECK(recs[static_cast<size_t>(n)].first == n);
      CHECK(recs[static_cast<size_t>(n)].second ==
            "p" + std::to_string(p) + "-" + std::to_string(n));
    }
  }
  CHECK(r->position() == *latest);
  // Nothing more: a poll at the end returns nothing.
  adapters::record_batch batch;
  auto k = r->poll(batch, 100, 300ms);
  REQUIRE(k);
  CHECK(*k == 0);
}

TEST_CASE(
    "rabbit reader: starts exactly at an offset inside a chunk, and drops partitions") {
  auto name = make_stream(2, 60);
  auto r = reader(name);
  REQUIRE_FALSE(r->assign({{name + "-0", 37}, {name + "-1", 0}}));
  auto got = read_n(*r, 23 + 60);
  REQUIRE(got[name + "-0"].size() == 23);
  CHECK(got[name + "-0"].front().first == 37);
  CHECK(got[name + "-0"].front().second == "p0-37");
  // Keep reading partition 1 only, from where it is: more records on both
  // partitions, only partition 1's arrive.
  REQUIRE_FALSE(r->assign({{name + "-1", 60}}));
  auto prod = adapters::open_rabbit_producer(endpoint());
  REQUIRE(prod);
  for (int n = 60; n < 70; ++n)
    for (int32_t p = 0; p < 2; ++p)
      REQUIRE_FALSE(
          (*prod)->publish(name, p, "p" + std::to_string(p) + "-" + std::to_string(n)));
  REQUIRE_FALSE((*prod)->flush(30s));
  auto more = read_n(*r, 10);
  CHECK(more.size() == 1);
  REQUIRE(more[name + "-1"].size() == 10);
  CHECK(more[name + "-1"].front().first == 60);
  CHECK(r->position() == core::offset_map{{name + "-1", 70}});
}

TEST_CASE("rabbit reader: an empty stream, unknown streams, refused credentials") {
  auto name = make_stream(1, 0);
  auto r = reader(name);
  auto latest = r->latest_offsets({name + "-0"}, 10s);
  REQUIRE(latest);
  CHECK((*latest)[name + "-0"] == 0);

  auto missing = reader("no_such_super_stream");
  auto ps = missing->partitions(10s);
  REQUIRE_FALSE(ps);
  CHECK(adapters::is(ps.error(), adapters::errc::unknown_topic));
  auto err = missing->assign({{"no_such_stream-0", 0}});
  REQUIRE(err);
  CHECK(adapters::is(err, adapters::errc::unknown_topic));
  CHECK(core::error_message(err).find("no_such_stream-0") != std::string::npos);

  auto wrong = reader(name, endpoint("guest", "wrong"));
  auto p2 = wrong->partitions(10s);
  REQUIRE_FALSE(p2);
  CHECK(adapters::is(p2.error(), adapters::errc::authorization_failed));
  auto prod = adapters::open_rabbit_producer(endpoint("guest", "wrong"));
  REQUIRE_FALSE(prod);
  CHECK(adapters::is(prod.error(), adapters::errc::authorization_failed));
}

TEST_CASE("rabbit reader: an unreachable broker, and an offset no longer retained") {
  auto ep = endpoint();
  ep.stream_port = 1;
  ep.amqp_port = 1;
  auto r = reader("anything", ep);
  auto ps = r->partitions(2s);
  REQUIRE_FALSE(ps);
  CHECK(adapters::is(ps.error(), adapters::errc::stream_unreachable));

  // A stream keeping about 20 kB in segments of 4 kB: after 500 messages of
  // 300 bytes its first segments are gone.
  auto name = unique_stream("svtrunc");
  auto prod = adapters::open_rabbit_producer(endpoint());
  REQUIRE(prod);
  REQUIRE_FALSE((*prod)->create_super_stream(name, 1, 20000, 4000));
  const std::string value(300, 'x');
  core::stream_offset first = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto truncated = reader(name);
  while (first == 0 && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 100; ++i) REQUIRE_FALSE((*prod)->publish(name, 0, value));
    REQUIRE_FALSE((*prod)->flush(30s));
    auto e = truncated->earliest_offsets({name + "-0"}, 10s);
    REQUIRE(e);
    first = (*e)[name + "-0"];
  }
  REQUIRE(first > 0);
  auto err = truncated->assign({{name + "-0", first - 1}});
  REQUIRE(err);
  CHECK(adapters::is(err, adapters::errc::offset_out_of_range));
  auto d = adapters::out_of_range_details(err);
  REQUIRE(d);
  CHECK(d->partition == name + "-0");
  CHECK(d->requested == first - 1);
  CHECK(d->earliest == first);
  CHECK(core::error_message(err).find("is no longer retained") != std::string::npos);
  // From the first retained offset it reads.
  REQUIRE_FALSE(truncated->assign({{name + "-0", first}}));
  adapters::record_batch batch;
  auto k = truncated->poll(batch, 10, 5s);
  REQUIRE(k);
  REQUIRE(*k > 0);
  CHECK(batch.records.front().offset == first);
}
