#pragma once
// A Kafka producer for the event generator, tests and benchmarks. Messages are
// copied and sent asynchronously; flush() waits for delivery and reports the
// first failure.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/json.hpp"

namespace sv::adapters {

class kafka_producer {
 public:
  virtual ~kafka_producer() = default;
  /// Queues one message; partition -1 lets the partitioner choose. Blocks
  /// briefly when the local queue is full.
  virtual caf::error produce(const std::string& topic, int32_t partition,
                             std::string_view key, std::string_view value) = 0;
  /// Waits until every queued message is delivered (or failed).
  virtual caf::error flush(std::chrono::milliseconds timeout) = 0;
  /// Partition count of a topic (creating nothing).
  virtual caf::expected<int32_t> partition_count(const std::string& topic,
                                                 std::chrono::milliseconds timeout) = 0;
  /// Messages whose delivery failed so far.
  virtual uint64_t failed() const = 0;
  /// Messages delivered so far.
  virtual uint64_t delivered() const = 0;
};

/// `properties` are producer properties (bootstrap.servers required).
/// Defaults favour throughput: linger.ms=5, batch.num.messages=10000, acks=all.
caf::expected<std::unique_ptr<kafka_producer>> open_kafka_producer(
    const core::json::object& properties);

}  // namespace sv::adapters
