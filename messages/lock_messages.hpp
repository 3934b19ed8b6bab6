#pragma once
// The lockbox: tasks ask for time-chunk locks and are told when a waiting
// request is granted; a task tells its supervisor while it waits.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "core/locks/lock_table.hpp"

namespace sv::msg {

/// Task -> lockbox. Times are epoch milliseconds; `type` is EXCLUSIVE,
/// SHARED, APPEND or REPLACE. Replied to at once with lock_reply.
struct lock_acquire {
  std::string datasource;
  std::string group;
  std::string task_id;
  int64_t start = 0;
  int64_t end = 0;
  std::string type;
  friend bool operator==(const lock_acquire&, const lock_acquire&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lock_acquire& x) {
  return f(caf::meta::type_name("lock_acquire"), x.datasource, x.group, x.task_id,
           x.start, x.end, x.type);
}

/// Granted now, or waiting behind the named lock groups (then lock_granted
/// follows once the conflicting locks are released).
struct lock_reply {
  bool granted = false;
  std::vector<std::string> blocked_by;
  friend bool operator==(const lock_reply&, const lock_reply&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lock_reply& x) {
  return f(caf::meta::type_name("lock_reply"), x.granted, x.blocked_by);
}

/// Lockbox -> task: a waiting request is granted.
struct lock_granted {
  int64_t start = 0;
  int64_t end = 0;
  friend bool operator==(const lock_granted&, const lock_granted&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lock_granted& x) {
  return f(caf::meta::type_name("lock_granted"), x.start, x.end);
}

/// Anyone -> lockbox: every lock held and every waiting request (JSON).
struct get_locks {
  friend bool operator==(const get_locks&, const get_locks&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_locks&) {
  return f(caf::meta::type_name("get_locks"));
}

/// Task -> supervisor: it waits for a lock (waiting) or got it (!waiting).
struct task_lock_wait {
  std::string task_id;
  bool waiting = false;
  std::string interval;  ///< ISO 8601 start/end
  std::string type;
  std::vector<std::string> blocked_by;
  friend bool operator==(const task_lock_wait&, const task_lock_wait&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_lock_wait& x) {
  return f(caf::meta::type_name("task_lock_wait"), x.task_id, x.waiting, x.interval,
           x.type, x.blocked_by);
}

/// Lockbox -> metadata actor: a cluster's lockbox keeps what it grants
/// (a leader write), forgets a task's locks when it releases them, and a new
/// leader's lockbox lists them to start from.
struct md_persist_lock {
  lock_acquire lock;
  friend bool operator==(const md_persist_lock&, const md_persist_lock&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_persist_lock& x) {
  return f(caf::meta::type_name("md_persist_lock"), x.lock);
}

struct md_drop_locks {
  std::string task_id;
  friend bool operator==(const md_drop_locks&, const md_drop_locks&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_drop_locks& x) {
  return f(caf::meta::type_name("md_drop_locks"), x.task_id);
}

struct md_list_locks {
  friend bool operator==(const md_list_locks&, const md_list_locks&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_list_locks&) {
  return f(caf::meta::type_name("md_list_locks"));
}

struct lock_rows {
  std::vector<lock_acquire> locks;  ///< in the order granted
  friend bool operator==(const lock_rows&, const lock_rows&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lock_rows& x) {
  return f(caf::meta::type_name("lock_rows"), x.locks);
}

/// A lock message's request; nullopt for an unknown lock type.
inline std::optional<core::locks::lock_request> to_request(const lock_acquire& m) {
  auto type = core::locks::parse_lock_type(m.type);
  if (!type) return std::nullopt;
  return core::locks::lock_request{
      m.datasource, m.group, m.task_id,
      core::locks::time_interval{core::utc_time{core::millis{m.start}},
                                 core::utc_time{core::millis{m.end}}},
      *type};
}

inline lock_acquire to_message(const core::locks::lock_request& r) {
  return lock_acquire{r.datasource,
                      r.group,
                      r.task_id,
                      r.interval.start.time_since_epoch().count(),
                      r.interval.end.time_since_epoch().count(),
                      std::string{core::locks::to_string(r.type)}};
}

}  // namespace sv::msg
