#pragma once
// Requests to the metadata actor, one per metadata_store operation. Replies
// are core records (or the wrappers below); failures are caf::error values
// from adapters::errc.

#include <string>
#include <vector>

#include "messages/manager_messages.hpp"

namespace sv::msg {

struct md_append_spec {
  std::string spec_id;
  core::json payload;
  friend bool operator==(const md_append_spec&, const md_append_spec&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_append_spec& x) {
  return f(caf::meta::type_name("md_append_spec"), x.spec_id, x.payload);
}

struct md_latest_specs {
  friend bool operator==(const md_latest_specs&, const md_latest_specs&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_latest_specs&) {
  return f(caf::meta::type_name("md_latest_specs"));
}

/// Spec history; empty id = all ids, limit 0 = all rows.
struct md_spec_history {
  std::string spec_id;
  int32_t limit = 0;
  friend bool operator==(const md_spec_history&, const md_spec_history&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_spec_history& x) {
  return f(caf::meta::type_name("md_spec_history"), x.spec_id, x.limit);
}

struct md_get_offsets {
  std::string supervisor_id;
  friend bool operator==(const md_get_offsets&, const md_get_offsets&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_get_offsets& x) {
  return f(caf::meta::type_name("md_get_offsets"), x.supervisor_id);
}

struct offsets_reply {
  std::optional<core::committed_offsets> offsets;  ///< nullopt: no row
  friend bool operator==(const offsets_reply&, const offsets_reply&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offsets_reply& x) {
  return f(caf::meta::type_name("offsets_reply"), x.offsets);
}

struct md_reset_offsets {
  std::string supervisor_id;
  core::committed_offsets offsets;
  friend bool operator==(const md_reset_offsets&, const md_reset_offsets&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_reset_offsets& x) {
  return f(caf::meta::type_name("md_reset_offsets"), x.supervisor_id, x.offsets);
}

/// resetOffsets / automatic reset: row = (stored - drop) + set, atomically
/// with this supervisor's publishes. Replies the new row.
struct md_edit_offsets {
  std::string supervisor_id;
  std::string type;
  std::string stream;
  core::offset_map set;
  std::vector<core::partition_id> drop;
  core::offset_map if_absent;  ///< only where the row has no offset
  friend bool operator==(const md_edit_offsets&, const md_edit_offsets&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_edit_offsets& x) {
  return f(caf::meta::type_name("md_edit_offsets"), x.supervisor_id, x.type, x.stream,
           x.set, x.drop, x.if_absent);
}

/// Reset to latest and backfill: the backfill's spec, the jump in the row and
/// the audit row, in one transaction. Replies the backfill's spec version.
struct md_begin_backfill {
  std::string supervisor_id;
  std::string type;
  std::string stream;
  core::offset_jump jump;
  std::string backfill_id;
  core::json backfill_spec;
  core::audit_record audit;
  friend bool operator==(const md_begin_backfill&, const md_begin_backfill&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_begin_backfill& x) {
  return f(caf::meta::type_name("md_begin_backfill"), x.supervisor_id, x.type, x.stream,
           x.jump, x.backfill_id, x.backfill_spec, x.audit);
}

/// Replies true if a row existed.
struct md_delete_offsets {
  std::string supervisor_id;
  friend bool operator==(const md_delete_offsets&, const md_delete_offsets&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_delete_offsets& x) {
  return f(caf::meta::type_name("md_delete_offsets"), x.supervisor_id);
}

struct md_publish {
  core::publish_request request;
  friend bool operator==(const md_publish& a, const md_publish& b) {
    return a.request.supervisor_id == b.request.supervisor_id &&
           a.request.start == b.request.start && a.request.end == b.request.end &&
           a.request.commit_as == b.request.commit_as &&
           a.request.segments == b.request.segments;
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_publish& x) {
  return f(caf::meta::type_name("md_publish"), x.request);
}

struct md_segments {
  std::string data_source;
  bool used_only = true;
  friend bool operator==(const md_segments&, const md_segments&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_segments& x) {
  return f(caf::meta::type_name("md_segments"), x.data_source, x.used_only);
}

struct segment_list {
  std::vector<core::segment_record> segments;
  friend bool operator==(const segment_list&, const segment_list&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, segment_list& x) {
  return f(caf::meta::type_name("segment_list"), x.segments);
}

/// Datasources with at least one used segment.
struct md_data_sources {
  friend bool operator==(const md_data_sources&, const md_data_sources&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_data_sources&) {
  return f(caf::meta::type_name("md_data_sources"));
}

struct data_source_list {
  std::vector<std::string> names;
  friend bool operator==(const data_source_list&, const data_source_list&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, data_source_list& x) {
  return f(caf::meta::type_name("data_source_list"), x.names);
}

struct md_upsert_task {
  core::task_record task;
  friend bool operator==(const md_upsert_task&, const md_upsert_task&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_upsert_task& x) {
  return f(caf::meta::type_name("md_upsert_task"), x.task);
}

/// One task row by id; replies a task_list with zero or one row.
struct md_get_task {
  std::string task_id;
  friend bool operator==(const md_get_task&, const md_get_task&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_get_task& x) {
  return f(caf::meta::type_name("md_get_task"), x.task_id);
}

struct md_list_tasks {
  core::task_filter filter;
  friend bool operator==(const md_list_tasks& a, const md_list_tasks& b) {
    return a.filter.supervisor_id == b.filter.supervisor_id &&
           a.filter.data_source == b.filter.data_source &&
           a.filter.status == b.filter.status && a.filter.limit == b.filter.limit;
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_list_tasks& x) {
  return f(caf::meta::type_name("md_list_tasks"), x.filter);
}

struct task_list {
  std::vector<core::task_record> tasks;
  friend bool operator==(const task_list&, const task_list&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_list& x) {
  return f(caf::meta::type_name("task_list"), x.tasks);
}

struct md_append_audit {
  core::audit_record record;
  friend bool operator==(const md_append_audit&, const md_append_audit&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_append_audit& x) {
  return f(caf::meta::type_name("md_append_audit"), x.record);
}

/// Audit rows newest first; empty key = all, limit 0 = all.
struct md_audit {
  std::string key;
  int32_t limit = 0;
  friend bool operator==(const md_audit&, const md_audit&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_audit& x) {
  return f(caf::meta::type_name("md_audit"), x.key, x.limit);
}

struct audit_list {
  std::vector<core::audit_record> records;
  friend bool operator==(const audit_list&, const audit_list&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_list& x) {
  return f(caf::meta::type_name("audit_list"), x.records);
}

}  // namespace sv::msg
