#pragma once
// What a task is told to do: read `start` .. (end) of its partitions with the
// supervisor's schema and tuning, publish into the supervisor's offsets row.
// Stored as the task row's payload (JSON) and sent to the task actor.

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/offsets.hpp"
#include "core/records.hpp"
#include "core/spec/supervisor_spec.hpp"
#include "core/time.hpp"

namespace sv::core::task {

struct task_spec {
  std::string id;  ///< index_kafka_{supervisor}_{hash}_{random}
  std::string supervisor_id;
  int32_t group_id = 0;
  std::string base_sequence_name;
  supervisor_spec spec;  ///< dataSchema, ioConfig, tuningConfig, context
  offset_map start;
  /// Checkpoints its group already took (sequence starts after `start`): a
  /// replica created late closes its sequences at the same offsets.
  std::vector<offset_map> checkpoints;

  std::optional<offset_map> end;  ///< known end (bounded, or a sealed group re-created)
  std::optional<offset_map> commit_as;   ///< commit-as offsets for that end
  std::optional<bounded_range> bounded;  ///< bounded (backfill) supervisors
  std::optional<utc_time> min_message_time;
  std::optional<utc_time> max_message_time;

  std::string type() const { return "index_" + spec.type; }
  const std::string& data_source() const { return spec.data_source(); }
};

json to_json(const task_spec& t);

/// The task's row in the tasks table.
task_record task_row(const task_spec& t, std::string status, utc_time created,
                     std::string location, json report);
caf::expected<task_spec> task_spec_from_json(const json& j);

}  // namespace sv::core::task
