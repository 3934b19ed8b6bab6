#pragma once
// The RabbitMQ Stream stream_reader: the partitions of a super stream are its
// member streams (partition ids "metrics-0", "metrics-1", ... as Druid names
// them). Records are consumed over AMQP 0-9-1 (rabbitmq-c): one consumer per
// partition on one channel, a prefetch per consumer, manual acks, starting at
// `x-stream-offset` = the next offset to read; each delivery's offset is its
// `x-stream-offset` header. Partitions and the first and next offsets come
// from the stream protocol (stream_client.hpp).
//
// Offsets are 64-bit with gaps (chunks that hold no records take offsets):
// never count records by subtracting offsets. Latest = the offset after the
// last record (the last chunk's first offset plus its records).
//
// A dropped connection is stream_unreachable; the next poll reconnects (with
// backoff, 200 ms doubling to 5 s) and consumes again from the position, so
// nothing is lost or read twice. A start below the stream's first retained
// offset is offset_out_of_range (RabbitMQ itself would silently start later).

#include <chrono>
#include <memory>
#include <string>

#include "adapters/stream_reader.hpp"
#include "core/stream/rabbit_endpoint.hpp"

namespace sv::adapters {

struct rabbit_reader_config {
  core::stream::rabbit_endpoint endpoint;
  std::string super_stream;
  /// Unacknowledged deliveries per partition (basic.qos prefetch).
  uint16_t prefetch = 2000;
  /// How long the stream protocol waits for a stream's first or last chunk
  /// before calling it empty.
  std::chrono::milliseconds empty_wait{1000};
};

caf::expected<std::unique_ptr<stream_reader>> open_rabbit_reader(
    const rabbit_reader_config& cfg);

}  // namespace sv::adapters
