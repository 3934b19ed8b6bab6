#pragma once
// The task chat API (Druid's /druid/worker/v1/chat/{taskId}/...) as typed
// messages, and what a task tells its supervisor.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/task/task_spec.hpp"
#include "messages/manager_messages.hpp"

namespace sv::core::task {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_spec& x) {
  std::string text;
  if constexpr (Inspector::reads_state) text = to_json(x).dump();
  auto load = caf::meta::load_callback([&]() -> caf::error {
    auto j = json::parse(text);
    if (!j) return j.error();
    auto t = task_spec_from_json(*j);
    if (!t) return t.error();
    x = std::move(*t);
    return caf::none;
  });
  return f(caf::meta::type_name("task_spec"), text, load);
}
}  // namespace sv::core::task

namespace sv::msg {

#define SV_EMPTY_MESSAGE(name)                                   \
  struct name {                                                  \
    friend bool operator==(const name&, const name&) = default;  \
  };                                                             \
  template <class Inspector>                                     \
  typename Inspector::result_type inspect(Inspector& f, name&) { \
    return f(caf::meta::type_name(#name));                       \
  }

SV_EMPTY_MESSAGE(get_task_status)
SV_EMPTY_MESSAGE(get_current_offsets)
SV_EMPTY_MESSAGE(get_end_offsets)
SV_EMPTY_MESSAGE(get_checkpoints)
SV_EMPTY_MESSAGE(stop_task)
SV_EMPTY_MESSAGE(get_row_stats)
SV_EMPTY_MESSAGE(get_task_report)

#undef SV_EMPTY_MESSAGE

// The commands a supervisor gives its tasks carry the leader epoch of the
// node that runs it (0 on a single node). A task refuses a command older than
// the newest epoch it has seen (the one that placed or adopted it), so a
// deposed leader that has not noticed yet changes nothing.

/// POST /pause: the task stops reading and answers its position.
struct pause_task {
  int64_t epoch = 0;
  friend bool operator==(const pause_task&, const pause_task&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pause_task& x) {
  return f(caf::meta::type_name("pause_task"), x.epoch);
}

/// POST /resume: a paused task reads on.
struct resume_task {
  int64_t epoch = 0;
  friend bool operator==(const resume_task&, const resume_task&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resume_task& x) {
  return f(caf::meta::type_name("resume_task"), x.epoch);
}

/// NOT_STARTED, STARTING, READING, PAUSED, PUBLISHING (Druid's names).
struct task_status_reply {
  std::string status;
  std::string start_time;  ///< ISO 8601, empty before the task started
  friend bool operator==(const task_status_reply&, const task_status_reply&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_status_reply& x) {
  return f(caf::meta::type_name("task_status_reply"), x.status, x.start_time);
}

struct offsets_msg {
  core::offset_map offsets;
  friend bool operator==(const offsets_msg&, const offsets_msg&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offsets_msg& x) {
  return f(caf::meta::type_name("offsets_msg"), x.offsets);
}

/// POST /offsets/end?finish=...: the task must be paused. With finish=false it
/// checkpoints (closes its sequence at `end` and goes on reading); with true it
/// reads up to `end`, publishes and exits. `commit_as` moves the offsets row
/// past `end` (reset-and-backfill).
struct set_end_offsets {
  core::offset_map end;
  bool finish = true;
  std::optional<core::offset_map> commit_as;
  int64_t epoch = 0;  ///< the sender's leader epoch (see pause_task)
  friend bool operator==(const set_end_offsets&, const set_end_offsets&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, set_end_offsets& x) {
  return f(caf::meta::type_name("set_end_offsets"), x.end, x.finish, x.commit_as,
           x.epoch);
}

/// Sequence id -> start offsets (GET /checkpoints).
struct checkpoints_msg {
  std::map<int32_t, core::offset_map> checkpoints;
  friend bool operator==(const checkpoints_msg&, const checkpoints_msg&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoints_msg& x) {
  return f(caf::meta::type_name("checkpoints_msg"), x.checkpoints);
}

/// A task reached maxRowsPerSegment, maxTotalRows or intermediateHandoffPeriod
/// and paused itself: its supervisor should checkpoint the group.
struct checkpoint_requested {
  std::string task_id;
  int32_t group_id = 0;
  core::offset_map sequence_start;
  friend bool operator==(const checkpoint_requested&,
                         const checkpoint_requested&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_requested& x) {
  return f(caf::meta::type_name("checkpoint_requested"), x.task_id, x.group_id,
           x.sequence_start);
}

/// A task ended (SUCCESS or FAILED), with its completion report.
struct task_finished {
  std::string task_id;
  int32_t group_id = 0;
  bool success = false;
  std::string error;
  core::json report;
  friend bool operator==(const task_finished&, const task_finished&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_finished& x) {
  return f(caf::meta::type_name("task_finished"), x.task_id, x.group_id, x.success,
           x.error, x.report);
}

/// A task retries something that failed (building or publishing segments);
/// sent to its supervisor when the problem starts or its message changes.
struct task_problem {
  std::string task_id;
  std::string message;
  friend bool operator==(const task_problem&, const task_problem&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_problem& x) {
  return f(caf::meta::type_name("task_problem"), x.task_id, x.message);
}

/// A publish found the offsets row behind its start: is an older group of the
/// same supervisor still publishing these partitions? (Then the task retries.)
struct predecessor_query {
  std::string task_id;
  int32_t group_id = 0;
  std::vector<core::partition_id> partitions;
  friend bool operator==(const predecessor_query&, const predecessor_query&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, predecessor_query& x) {
  return f(caf::meta::type_name("predecessor_query"), x.task_id, x.group_id,
           x.partitions);
}

}  // namespace sv::msg
