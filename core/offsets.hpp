#pragma once
// Stream positions. Offsets are "next offset to read" (Kafka semantics): a
// range is [start, end). Partition ids are strings as Druid writes them in
// JSON maps: "0", "7", or "topic:3" for multi-topic Kafka, "shardId-..." for
// Kinesis. They order naturally (2 < 10, "a:2" < "a:10").

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/json.hpp"
#include "core/stream_offset.hpp"

namespace sv::core {

/// Orders partition ids naturally: digit runs compare by numeric value.
struct partition_less {
  bool operator()(const std::string& a, const std::string& b) const;
};

using partition_id = std::string;
using offset_map = std::map<partition_id, stream_offset, partition_less>;

/// A bounded range per partition: start inclusive, end exclusive (Kafka).
struct bounded_range {
  offset_map start;
  offset_map end;
  friend bool operator==(const bounded_range&, const bounded_range&) = default;
};

/// A pending jump of the offsets row (reset to latest and backfill): on each
/// partition p, the range [from[p], to[p]) belongs to a backfill supervisor.
/// A publish that ends p exactly at from[p] moves the row to to[p]; a publish
/// whose range contains from[p] is refused. An entry goes once the row
/// reached to[p].
struct offset_jump {
  offset_map from;
  offset_map to;
  bool empty() const { return from.empty(); }
  friend bool operator==(const offset_jump&, const offset_jump&) = default;
};

/// The committed position of one supervisor: what the datasource_metadata row holds.
struct committed_offsets {
  std::string type;    ///< supervisor type: "kafka", "kinesis", "rabbit"
  std::string stream;  ///< topic (or pattern) / stream name
  offset_map offsets;
  std::optional<bounded_range> bounded;
  offset_jump jump;  ///< pending reset-to-latest jumps (usually none)
  friend bool operator==(const committed_offsets&, const committed_offsets&) = default;
};

/// Druid's payload shape:
/// {"type":"kafka","partitions":{"type":"end","stream":"t","partitionOffsetMap":{...}},
///  "boundedStreamConfig":null}
/// plus "pendingJump": {"from": {...}, "to": {...}} while a jump is pending.
json to_json(const committed_offsets& x);
caf::expected<committed_offsets> committed_offsets_from_json(const json& x);

/// A number when it fits int64 (Kafka, RabbitMQ), else its digits as a string.
json to_json(const stream_offset& x);

/// {"0": 12, "1": 40}
json to_json(const offset_map& m);
/// Accepts numbers or numeric strings as values.
caf::expected<offset_map> offset_map_from_json(const json& x);

/// `base` with every partition of `other` set to other's value (Druid's plus).
offset_map plus(const offset_map& base, const offset_map& other);

/// Outcome of checking a publish against the stored offsets.
enum class publish_outcome : uint8_t {
  /// Start matched; segments and offsets commit.
  committed,
  /// Stored offsets are behind start on some partition: a predecessor has not
  /// published yet. Retryable while a predecessor is still publishing.
  ahead,
  /// Stored offsets are past start, or otherwise inconsistent (another writer
  /// won, or the row was reset). Never retried.
  diverged,
};

std::string_view to_string(publish_outcome x);

/// Decides a publish of [start, end): `stored` is the row (nullopt = no row).
/// Start offsets must equal the stored offsets on every partition both have;
/// partitions the row does not have are a valid start. A bounded publish must
/// carry the same bounded range as the row (when the row has offsets). A range
/// that contains a pending jump's `from` (start < from < end) is diverged: that
/// data belongs to the backfill.
publish_outcome check_publish(const std::optional<committed_offsets>& stored,
                              const offset_map& start, const offset_map& end,
                              const std::optional<bounded_range>& bounded);

/// The row after a committed publish: stored offsets plus `commit_as`, except
/// that a partition ending exactly at a pending jump's `from` takes its `to`;
/// jumps the row has reached are dropped.
committed_offsets row_after_publish(const std::optional<committed_offsets>& stored,
                                    const std::string& type, const std::string& stream,
                                    const offset_map& end, const offset_map& commit_as,
                                    const std::optional<bounded_range>& bounded);

}  // namespace sv::core
