#pragma once
// The embedded Kafka: librdkafka's mock cluster, serving the Kafka protocol on
// loopback TCP for as long as this object lives. Any Kafka client (kcat, a
// Java client, our own reader) can connect to bootstrap().
//
// Limits of the mock in librdkafka 2.0.2 (see docs/embedded-kafka.md): ports
// are random; each partition keeps at most 5 MiB or 100,000 message sets (the
// oldest are dropped, moving the earliest offset); offsets-by-timestamp are not
// implemented; unknown topics are auto-created with 4 partitions on a metadata
// request that allows it.
//
// Thread-safe: the mock serialises calls internally.

#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace sv::adapters {

class mock_cluster {
 public:
  virtual ~mock_cluster() = default;

  /// "127.0.0.1:PORT[,127.0.0.1:PORT...]"
  virtual std::string bootstrap() const = 0;
  virtual int brokers() const = 0;

  virtual caf::error create_topic(const std::string& name, int partitions) = 0;

  /// Broker ids are 1..brokers(); -1 means every broker.
  virtual caf::error set_broker_down(int broker) = 0;
  virtual caf::error set_broker_up(int broker) = 0;
  /// Adds `ms` of round-trip time to every response of `broker`.
  virtual caf::error set_broker_rtt(int broker, int ms) = 0;
  /// The next requests of Kafka API `api_key` (Produce 0, Fetch 1,
  /// ListOffsets 2, Metadata 3, ...) fail with these Kafka error codes, in order.
  virtual caf::error push_request_errors(int api_key, const std::vector<int>& errors) = 0;
  /// Moves the leadership of a partition; broker -1 leaves it leaderless.
  virtual caf::error set_partition_leader(const std::string& topic, int partition,
                                          int broker) = 0;
};

/// Starts a mock cluster with `brokers` brokers on loopback.
caf::expected<std::unique_ptr<mock_cluster>> start_mock_cluster(int brokers);

/// The name of a Kafka error code ("NOT_LEADER_FOR_PARTITION"), or its number.
int kafka_error_code(const std::string& name_or_number);

}  // namespace sv::adapters
