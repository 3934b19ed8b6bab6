#pragma once
// Writing to a RabbitMQ super stream over AMQP 0-9-1 (rabbitmq-c), for the
// event generator, tests and benchmarks: creates a super stream the way
// `rabbitmq-streams add_super_stream` does (a direct exchange with
// x-super-stream, stream queues NAME-0..N-1 bound with routing keys "0".."N-1"
// and x-stream-partition-order), and publishes with publisher confirms.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/stream/rabbit_endpoint.hpp"

namespace sv::adapters {

class rabbit_producer {
 public:
  virtual ~rabbit_producer() = default;
  /// Creates the super stream with `partitions` member streams (declaring
  /// what exists already with the same arguments is harmless). With
  /// `max_bytes` > 0 each member stream keeps about that many bytes, in
  /// segments of `segment_bytes` (RabbitMQ's retention drops whole segments).
  virtual caf::error create_super_stream(const std::string& name, int32_t partitions,
                                         int64_t max_bytes = 0,
                                         int64_t segment_bytes = 0) = 0;
  /// Deletes the super stream's exchange and its member streams NAME-0..N-1.
  virtual caf::error delete_super_stream(const std::string& name, int32_t partitions) = 0;
  /// Publishes one message to partition `partition` of `super_stream`.
  virtual caf::error publish(const std::string& super_stream, int32_t partition,
                             std::string_view value) = 0;
  /// Waits for the broker's confirms of everything published so far.
  virtual caf::error flush(std::chrono::milliseconds timeout) = 0;
  virtual uint64_t confirmed() const = 0;
};

caf::expected<std::unique_ptr<rabbit_producer>> open_rabbit_producer(
    const core::stream::rabbit_endpoint& ep);

}  // namespace sv::adapters
