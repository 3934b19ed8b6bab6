#pragma once
// What the Kafka readers share (internal to adapters/kafka): the consumer
// configuration of a reader's spec, the slots of an assignment (ids,
// positions, the slot of each topic and partition), turning a fetched message
// into a record, and the offsets queries.

#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "adapters/kafka/kafka_reader.hpp"

namespace sv::adapters::kafka {

/// Fills `conf` for a consumer of `cfg` (our defaults, then consumerProperties;
/// "embedded" bootstrap resolved; auto.offset.reset "error"; logs routed).
caf::error configure_consumer(rd_kafka_conf_t* conf, const kafka_reader_config& cfg,
                              const std::string& group_id);

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
};

/// The partitions a reader reads, each in a slot of the record batches, and
/// the next offset of each.
class partition_slots {
 public:
  /// `topic`: the one topic (ids are partition numbers), else ids are
  /// "topic:partition".
  explicit partition_slots(std::optional<std::string> topic) : topic_(std::move(topic)) {}

  caf::expected<topic_partition> parse(const core::partition_id& id) const;
  /// Replaces the slots with `start` (ids and positions).
  caf::error set(const core::offset_map& start);
  /// The partitions `start` leaves out when it is a strict subset of the
  /// slots at the positions reached; nullopt otherwise.
  std::optional<std::vector<core::partition_id>> dropped_at_position(
      const core::offset_map& start) const;

  /// Leaves these partitions out; the others keep their positions.
  void drop(const std::vector<core::partition_id>& ids);

  /// The slot of a message's partition; -1 when it is not read here.
  int32_t slot_of(const rd_kafka_message_t* m);
  /// Appends a record for `m` to `out` (which then owns it) and moves the
  /// position; destroys `m` and returns false when it is not read here.
  bool take(rd_kafka_message_t* m, record_batch& out);

  const std::vector<core::partition_id>& ids() const { return ids_; }
  core::stream_offset position_of(int32_t slot) const {
    return positions_[static_cast<size_t>(slot)];
  }
  core::offset_map position() const;
  size_t size() const { return ids_.size(); }

 private:
  std::optional<std::string> topic_;
  std::vector<core::partition_id> ids_;
  std::vector<core::stream_offset> positions_;
  std::unordered_map<std::string, std::vector<int32_t>> index_;
  const rd_kafka_topic_t* last_rkt_ = nullptr;
  std::vector<int32_t>* last_slots_ = nullptr;
};

/// Every partition of `topic`, or of every topic `pattern` matches (ids
/// "topic:partition"), from one all-topics metadata request (which never
/// creates a topic as a side effect).
caf::expected<std::vector<core::partition_id>> list_partitions(
    rd_kafka_t* rk, const std::optional<std::string>& topic, const std::regex& pattern,
    std::chrono::milliseconds timeout);

/// Earliest (RD_KAFKA_OFFSET_BEGINNING) or latest (RD_KAFKA_OFFSET_END)
/// offsets of `ps`, retried while unreachable until `timeout`.
caf::expected<core::offset_map> query_offsets(rd_kafka_t* rk, const partition_slots& ids,
                                              const std::vector<core::partition_id>& ps,
                                              int64_t which,
                                              std::chrono::milliseconds timeout);

/// The error a message carrying one means for its reader: none for errors the
/// client recovers from by itself (end of partition, unreachable brokers), an
/// offset_out_of_range with the partition's earliest and latest offsets, else
/// the error.
caf::error message_error(rd_kafka_t* rk, partition_slots& slots, rd_kafka_message_t* m);

}  // namespace sv::adapters::kafka
