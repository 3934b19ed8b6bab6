#pragma once
// What differs between the stream types (kafka, kinesis, rabbit) in the
// supervisor's and tasks' logic, as one small table; the readers themselves
// differ behind adapters::stream_reader.

#include <string_view>

namespace sv::core::stream {

struct stream_traits {
  std::string_view type;
  /// Druid's idle state applies (rabbit streams never idle, as in Druid).
  bool can_idle = true;
  /// Offset differences count records (roughly, for rabbit's gaps), so lag is
  /// reported in records. Kinesis sequence numbers do not: its lag is not
  /// reported in records.
  bool lag_in_records = true;
  /// One probe client lists every stream of its cluster, with ids
  /// "stream:partition" (Kafka's all-topics metadata), so one client per
  /// cluster serves every supervisor (core/stream/cluster_ids.hpp maps the
  /// ids). Otherwise a probe client reads one stream.
  bool cluster_wide_probe = false;
};

/// The traits of a supervisor type; an unknown type gets kafka's.
const stream_traits& traits_of(std::string_view type);

}  // namespace sv::core::stream
