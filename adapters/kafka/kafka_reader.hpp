#pragma once
// The Kafka stream_reader on librdkafka: assign/seek only (no consumer-group
// commits), consumerProperties passed through, read_committed by default.

#include <memory>
#include <optional>
#include <string>

#include "adapters/stream_reader.hpp"
#include "core/json.hpp"

namespace sv::adapters {

struct kafka_reader_config {
  /// Druid's consumerProperties; must contain bootstrap.servers. Keys starting
  /// with "druid." and Java deserializer settings are ignored; any other
  /// unknown property is a stream_config error.
  core::json::object consumer_properties;
  std::optional<std::string> topic;
  std::optional<std::string> topic_pattern;  ///< full-match regex; ids "topic:partition"
  std::string client_id = "streamvisor";     ///< also names the (unused) group id
  /// Replaces bootstrap.servers "embedded": the node's embedded Kafka.
  std::string embedded_bootstrap;
};

caf::expected<std::unique_ptr<stream_reader>> open_kafka_reader(
    const kafka_reader_config& cfg);

}  // namespace sv::adapters
