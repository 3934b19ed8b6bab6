#pragma once
// A mock Kafka cluster (real Kafka protocol on loopback TCP) with a producer
// and reader helpers for integration tests.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "adapters/errc.hpp"
#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/kafka/kafka_reader.hpp"
#include "adapters/kafka/mock_cluster.hpp"
#include "core/errc.hpp"

namespace sv::test {

struct read_record {
  std::string partition;
  core::stream_offset offset;
  std::string key;
  std::string value;
};

struct kafka_env {
  std::unique_ptr<adapters::mock_cluster> cluster;
  std::unique_ptr<adapters::kafka_producer> producer;

  explicit kafka_env(int brokers = 1) {
    auto c = adapters::start_mock_cluster(brokers);
    REQUIRE_MESSAGE(c, core::error_message(c.error()));
    cluster = std::move(*c);
    auto p = adapters::open_kafka_producer(
        core::json::make_object({{"bootstrap.servers", cluster->bootstrap()}})
            .as_object());
    REQUIRE_MESSAGE(p, core::error_message(p.error()));
    producer = std::move(*p);
  }

  core::json::object props() const {
    return core::json::make_object(
               {{"bootstrap.servers", cluster->bootstrap()}, {"fetch.wait.max.ms", "10"}})
        .as_object();
  }

  std::unique_ptr<adapters::stream_reader> reader(const std::string& topic,
                                                  bool pattern = false) const {
    adapters::kafka_reader_config cfg;
    cfg.consumer_properties = props();
    if (pattern)
      cfg.topic_pattern = topic;
    else
      cfg.topic = topic;
    cfg.client_id = "test";
    auto r = adapters::open_kafka_reader(cfg);
    REQUIRE_MESSAGE(r, core::error_message(r.error()));
    return std::move(*r);
  }

  /// Produces `n` messages "p-i" to each partition p < partitions, keys "k-i".
  void fill(const std::string& topic, int partitions, int n) {
    for (int p = 0; p < partitions; ++p)
      for (int i = 0; i < n; ++i)
        REQUIRE_FALSE(producer->produce(topic, p, "k-" + std::to_string(i),
                                        std::to_string(p) + "-" + std::to_string(i)));
    auto err = producer->flush(std::chrono::seconds{30});
    REQUIRE_MESSAGE(!err, core::error_message(err));
  }
};

/// Polls until `done` holds, an error arrives, or `limit` passes. Records go to `out`.
inline caf::error read_until(adapters::stream_reader& r, std::vector<read_record>& out,
                             const std::function<bool()>& done,
                             std::chrono::milliseconds limit = std::chrono::seconds{20},
                             size_t max_records = 500,
                             bool tolerate_unreachable = false) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  adapters::record_batch batch;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return core::make_error(core::errc::timeout, "read_until: gave up waiting");
    auto n = r.poll(batch, max_records, std::chrono::milliseconds{100});
    if (!n && tolerate_unreachable &&
        adapters::is(n.error(), adapters::errc::stream_unreachable))
      continue;  // what a task does: keep polling; the reader resumes where it was
    if (!n) return n.error();
    for (const auto& rec : batch.records)
      out.push_back(read_record{batch.partition_of(rec), rec.offset, std::string{rec.key},
                                std::string{rec.value}});
  }
  return {};
}

}  // namespace sv::test
