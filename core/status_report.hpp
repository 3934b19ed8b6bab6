#pragma once
// The payload of GET /supervisor/{id}/status in Druid's shape (§9.2):
// id, dataSource, stream, partitions, replicas, durationSeconds, activeTasks,
// publishingTasks, latestOffsets, minimumLag, aggregateLag, offsetsLastUpdated,
// suspended, healthy, state, detailedState, recentErrors.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/offsets.hpp"
#include "core/supervisor_state.hpp"
#include "core/time.hpp"

namespace sv::core {

/// One task in activeTasks / publishingTasks (Druid's TaskReportData).
struct task_report {
  std::string id;
  offset_map starting_offsets;
  offset_map current_offsets;
  std::optional<utc_time> start_time;
  int64_t remaining_seconds = 0;
  bool publishing = false;        ///< "type": PUBLISHING, else ACTIVE
  std::optional<offset_map> lag;  ///< active tasks only
  /// While the task waits for a time-chunk lock: interval, lockType, heldBy.
  std::optional<json> waiting_for_lock;
};

/// One entry of recentErrors.
struct error_event {
  utc_time timestamp{};
  std::string exception_class;
  std::string message;
  bool stream_exception = false;
};

struct supervisor_status {
  std::string id;
  std::string data_source;
  std::string stream;
  int32_t partitions = 0;
  int32_t replicas = 1;
  int64_t duration_seconds = 0;
  std::vector<task_report> active_tasks;
  std::vector<task_report> publishing_tasks;
  std::optional<offset_map> latest_offsets;
  std::optional<offset_map> minimum_lag;
  std::optional<int64_t> aggregate_lag;
  /// Kinesis: milliseconds behind the newest record, per shard and summed.
  std::optional<offset_map> minimum_lag_millis;
  std::optional<int64_t> aggregate_lag_millis;
  std::optional<utc_time> offsets_last_updated;
  bool suspended = false;
  detailed_state state = detailed_state::pending;
  std::vector<error_event> recent_errors;
  /// Bounded supervisors: offsets lost to retention, partition -> [from, to).
  std::map<partition_id, std::pair<stream_offset, stream_offset>, partition_less>
      lost_offsets;
};

/// The status payload object.
json to_json(const supervisor_status& s);

}  // namespace sv::core
