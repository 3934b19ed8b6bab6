#pragma once
// Requests to the manager (from the HTTP gateway) and its replies, plus the
// notices supervisors send it. One aggregate struct per kind of message.

#include <string>
#include <vector>

#include "messages/core_inspect.hpp"

namespace sv::msg {

/// Generic success reply for requests that return nothing else.
struct ack {
  friend bool operator==(const ack&, const ack&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ack&) {
  return f(caf::meta::type_name("ack"));
}

/// POST /supervisor: create or update a supervisor.
struct create_supervisor {
  core::supervisor_spec spec;
  bool skip_restart_if_unmodified = false;
  std::string author;  ///< who asked (remote address), for the audit row
  friend bool operator==(const create_supervisor& a, const create_supervisor& b) {
    return core::to_json(a.spec) == core::to_json(b.spec) &&
           a.skip_restart_if_unmodified == b.skip_restart_if_unmodified &&
           a.author == b.author;
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_supervisor& x) {
  return f(caf::meta::type_name("create_supervisor"), x.spec,
           x.skip_restart_if_unmodified, x.author);
}

struct create_supervisor_reply {
  std::string id;
  bool restarted = true;
  friend bool operator==(const create_supervisor_reply&,
                         const create_supervisor_reply&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_supervisor_reply& x) {
  return f(caf::meta::type_name("create_supervisor_reply"), x.id, x.restarted);
}

/// GET /supervisor (all variants): the manager's summaries and specs.
struct list_supervisors {
  friend bool operator==(const list_supervisors&, const list_supervisors&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_supervisors&) {
  return f(caf::meta::type_name("list_supervisors"));
}

struct supervisor_listing {
  core::supervisor_summary summary;
  core::json spec;  ///< printed spec
  friend bool operator==(const supervisor_listing&, const supervisor_listing&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_listing& x) {
  return f(caf::meta::type_name("supervisor_listing"), x.summary, x.spec);
}

struct supervisor_list {
  std::vector<supervisor_listing> items;  ///< ordered by id
  friend bool operator==(const supervisor_list&, const supervisor_list&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_list& x) {
  return f(caf::meta::type_name("supervisor_list"), x.items);
}

/// GET /supervisor/{id}: the printed spec.
struct get_supervisor_spec {
  std::string id;
  friend bool operator==(const get_supervisor_spec&,
                         const get_supervisor_spec&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_supervisor_spec& x) {
  return f(caf::meta::type_name("get_supervisor_spec"), x.id);
}

/// GET /supervisor/{id}/status, answered by the supervisor.
struct get_supervisor_status {
  std::string id;
  friend bool operator==(const get_supervisor_status&,
                         const get_supervisor_status&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_supervisor_status& x) {
  return f(caf::meta::type_name("get_supervisor_status"), x.id);
}

/// Druid's SupervisorReport: {"id", "generationTime", "payload"}.
struct supervisor_report {
  std::string id;
  std::string generation_time;
  core::json payload;
  core::supervisor_summary summary;
  /// Recent aggregate lag (core/supervisor/lag_history.hpp): sample times in
  /// ms since the epoch and the lag at each.
  std::vector<int64_t> lag_times;
  std::vector<int64_t> lag_values;
  friend bool operator==(const supervisor_report&, const supervisor_report&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_report& x) {
  return f(caf::meta::type_name("supervisor_report"), x.id, x.generation_time, x.payload,
           x.summary, x.lag_times, x.lag_values);
}

/// POST /{id}/suspend and /{id}/resume; replies with the updated spec.
struct set_suspended {
  std::string id;
  bool suspended = true;
  std::string author;
  friend bool operator==(const set_suspended&, const set_suspended&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, set_suspended& x) {
  return f(caf::meta::type_name("set_suspended"), x.id, x.suspended, x.author);
}

/// POST /suspendAll and /resumeAll.
struct set_all_suspended {
  bool suspended = true;
  std::string author;
  friend bool operator==(const set_all_suspended&, const set_all_suspended&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, set_all_suspended& x) {
  return f(caf::meta::type_name("set_all_suspended"), x.suspended, x.author);
}

/// POST /{id}/terminate (and /{id}/shutdown).
struct terminate_supervisor {
  std::string id;
  std::string author;
  friend bool operator==(const terminate_supervisor&,
                         const terminate_supervisor&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, terminate_supervisor& x) {
  return f(caf::meta::type_name("terminate_supervisor"), x.id, x.author);
}

/// The node is stopping (SIGTERM): every supervisor stops as on terminate
/// (reading groups publish what they read) but nothing is tombstoned; the
/// reply comes once every supervisor has quit. The manager then answers
/// nothing but status reads.
struct shutdown_supervisors {
  friend bool operator==(const shutdown_supervisors&,
                         const shutdown_supervisors&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shutdown_supervisors&) {
  return f(caf::meta::type_name("shutdown_supervisors"));
}

/// POST /terminateAll.
struct terminate_all {
  std::string author;
  friend bool operator==(const terminate_all&, const terminate_all&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, terminate_all& x) {
  return f(caf::meta::type_name("terminate_all"), x.author);
}

/// GET /history and /{id}/history. Empty id = every id; count 0 = all.
struct get_history {
  std::string id;
  int32_t count = 0;
  friend bool operator==(const get_history&, const get_history&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_history& x) {
  return f(caf::meta::type_name("get_history"), x.id, x.count);
}

struct spec_history {
  std::vector<core::spec_version> versions;  ///< newest first, grouped by id
  friend bool operator==(const spec_history&, const spec_history&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spec_history& x) {
  return f(caf::meta::type_name("spec_history"), x.versions);
}

/// POST /{id}/reset (hard reset). The manager forwards it to the supervisor.
struct reset_supervisor {
  std::string id;
  std::string author;
  friend bool operator==(const reset_supervisor&, const reset_supervisor&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reset_supervisor& x) {
  return f(caf::meta::type_name("reset_supervisor"), x.id, x.author);
}

/// POST /{id}/resetOffsets with Druid's datasource-metadata body; the
/// supervisor checks it against its spec (400 on mismatch).
struct reset_supervisor_offsets {
  std::string id;
  core::json body;
  std::string author;
  friend bool operator==(const reset_supervisor_offsets&,
                         const reset_supervisor_offsets&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reset_supervisor_offsets& x) {
  return f(caf::meta::type_name("reset_supervisor_offsets"), x.id, x.body, x.author);
}

/// POST /{id}/taskGroups/handoff {"taskGroupIds": [...]}.
struct handoff_task_groups {
  std::string id;
  std::vector<int32_t> groups;
  friend bool operator==(const handoff_task_groups&,
                         const handoff_task_groups&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_task_groups& x) {
  return f(caf::meta::type_name("handoff_task_groups"), x.id, x.groups);
}

/// GET /{id}/stats: {"<group>": {"<task>": rowStats}}.
struct get_supervisor_stats {
  std::string id;
  friend bool operator==(const get_supervisor_stats&,
                         const get_supervisor_stats&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_supervisor_stats& x) {
  return f(caf::meta::type_name("get_supervisor_stats"), x.id);
}

/// GET /{id}/parseErrors: the running tasks' saved parse exceptions.
struct get_parse_errors {
  std::string id;
  friend bool operator==(const get_parse_errors&, const get_parse_errors&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_parse_errors& x) {
  return f(caf::meta::type_name("get_parse_errors"), x.id);
}

/// POST /{id}/resetToLatestAndBackfill[?backfillTaskCount=N] (also
/// resetOffsetsAndBackfill). task_count 0: the source's taskCount.
struct reset_and_backfill {
  std::string id;
  int32_t task_count = 0;
  std::string author;
  friend bool operator==(const reset_and_backfill&, const reset_and_backfill&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reset_and_backfill& x) {
  return f(caf::meta::type_name("reset_and_backfill"), x.id, x.task_count, x.author);
}

/// {"id", "backfillSupervisorId", "startOffsets": P, "endOffsets": L}
struct backfill_reply {
  std::string id;
  std::string backfill_id;
  core::offset_map start;
  core::offset_map end;
  friend bool operator==(const backfill_reply&, const backfill_reply&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, backfill_reply& x) {
  return f(caf::meta::type_name("backfill_reply"), x.id, x.backfill_id, x.start, x.end);
}

/// A supervisor tells the manager its state changed.

struct supervisor_state_changed {
  core::supervisor_summary summary;
  friend bool operator==(const supervisor_state_changed&,
                         const supervisor_state_changed&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_state_changed& x) {
  return f(caf::meta::type_name("supervisor_state_changed"), x.summary);
}

}  // namespace sv::msg
