// Consume benchmark: records/s and MB/s through the Kafka stream_reader versus
// bare librdkafka (assign + consume_batch_queue) on the same messages, in the
// same run, against the embedded Kafka (mock cluster over loopback TCP).
//
//   build/bench/consume_bench [--partitions 40] [--per-partition 12500] [--rounds 3]

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/kafka/kafka_reader.hpp"
#include "adapters/kafka/mock_cluster.hpp"
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
  std::fprintf(stderr, "consume_bench: %s\n", what.c_str());
  std::exit(1);
}

result bare_librdkafka(const std::string& bootstrap, int partitions, uint64_t expect) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  for (auto [k, v] : {std::pair{"bootstrap.servers", bootstrap.c_str()},
                      {"group.id", "bench-bare"},
                      {"enable.auto.commit", "false"},
                      {"auto.offset.reset", "error"},
                      {"fetch.wait.max.ms", "10"},
                      {"isolation.level", "read_committed"}})
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err)) die(err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die(err);
  rd_kafka_poll_set_consumer(rk);
  auto* q = rd_kafka_queue_get_consumer(rk);
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, "bench", p)->offset = 0;
  result r;
  auto start = clock_type::now();
  rd_kafka_assign(rk, list);
  std::vector<rd_kafka_message_t*> buf(10000);
  while (r.records < expect) {
    auto n = rd_kafka_consume_batch_queue(q, 100, buf.data(), buf.size());
    for (ssize_t i = 0; i < n; ++i) {
      auto* m = buf[static_cast<size_t>(i)];
      if (!m->err) {
        ++r.records;
        r.bytes += m->len;
      }
      rd_kafka_message_destroy(m);
    }
  }
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_queue_destroy(q);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return r;
}

result stream_reader(const std::string& bootstrap, int partitions, uint64_t expect) {
  adapters::kafka_reader_config cfg;
  cfg.topic = "bench";
  cfg.client_id = "bench-reader";
  cfg.consumer_properties = core::json::make_object({{"bootstrap.servers", bootstrap},
                                                     {"fetch.wait.max.ms", "10"}})
                                .as_object();
  auto reader = adapters::open_kafka_reader(cfg);
  if (!reader) die(core::error_message(reader.error()));
  core::offset_map start_offsets;
  for (int p = 0; p < partitions; ++p) start_offsets[std::to_string(p)] = 0;
  result r;
  auto start = clock_type::now();
  if (auto err = (*reader)->assign(start_offsets)) die(core::error_message(err));
  adapters::record_batch batch;
  while (r.records < expect) {
    auto n = (*reader)->poll(batch, 10000, std::chrono::milliseconds{100});
    if (!n) die(core::error_message(n.error()));
    for (const auto& rec : batch.records) {
      ++r.records;
      r.bytes += rec.value.size();
    }
  }
  batch.clear();
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  (*reader)->close();
  return r;
}

std::string cpu_model() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  int partitions = 40, per_partition = 12500, rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--partitions")
      partitions = v;
    else if (k == "--per-partition")
      per_partition = v;
    else if (k == "--rounds")
      rounds = v;
  }
  auto cluster = adapters::start_mock_cluster(1);
  if (!cluster) die(core::error_message(cluster.error()));
  if (auto e = (*cluster)->create_topic("bench", partitions)) die(core::error_message(e));
  auto producer = adapters::open_kafka_producer(
      core::json::make_object({{"bootstrap.servers", (*cluster)->bootstrap()}})
          .as_object());
  if (!producer) die(core::error_message(producer.error()));
  core::event_generator gen{"bench", 1};
  std::string event;
  auto now = core::utc_now();
  uint64_t total =
      static_cast<uint64_t>(partitions) * static_cast<uint64_t>(per_partition);
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < total; ++i) {
    event.clear();
    gen.next(event, now);
    bytes += event.size();
    if (auto e = (*producer)->produce("bench", static_cast<int32_t>(i % partitions), {},
                                      event))
      die(core::error_message(e));
  }
  if (auto e = (*producer)->flush(std::chrono::seconds{120})) die(core::error_message(e));
  std::printf("machine: %u cores, %s\n", std::thread::hardware_concurrency(),
              cpu_model().c_str());
  std::printf(
      "data: %llu JSON events (avg %.0f bytes, %.1f MB) in %d partitions, embedded "
      "Kafka\n",
      static_cast<unsigned long long>(total), double(bytes) / double(total),
      double(bytes) / 1e6, partitions);
  std::vector<double> bare_rate, reader_rate;
  for (int r = 0; r < rounds; ++r) {
    auto b = bare_librdkafka((*cluster)->bootstrap(), partitions, total);
    auto s = stream_reader((*cluster)->bootstrap(), partitions, total);
    if (b.records != total || s.records != total || b.bytes != bytes || s.bytes != bytes)
      die("record or byte counts differ from what was produced");
    bare_rate.push_back(double(b.records) / b.seconds);
    reader_rate.push_back(double(s.records) / s.seconds);
    std::printf(
        "round %d: bare librdkafka %.0f rec/s %.1f MB/s | stream_reader %.0f rec/s %.1f "
        "MB/s\n",
        r + 1, bare_rate.back(), double(b.bytes) / b.seconds / 1e6, reader_rate.back(),
        double(s.bytes) / s.seconds / 1e6);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double mb = double(bytes) / double(total) / 1e6;
  std::printf(
      "median: bare librdkafka %.0f rec/s (%.1f MB/s), stream_reader %.0f rec/s (%.1f "
      "MB/s), "
      "ratio %.2f\n",
      median(bare_rate), median(bare_rate) * mb, median(reader_rate),
      median(reader_rate) * mb, median(reader_rate) / median(bare_rate));
  return 0;
}
