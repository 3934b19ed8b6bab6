#pragma once
// Time-chunk locks on datasources, with Druid's four lock types and their
// compatibility rules (TaskLockbox):
//   EXCLUSIVE  coexists with nothing;
//   SHARED     coexists only with SHARED;
//   APPEND     coexists with APPEND, and with a REPLACE that encloses it;
//   REPLACE    coexists only with APPEND locks it encloses (so one per interval).
// Rules apply between lock groups only: the tasks of one group (a supervisor's
// tasks, "index_kafka_{id}") share their locks and never conflict.
// A request that conflicts waits in arrival order; each release grants the
// waiters that became compatible. Pure data: the lockbox actor drives it.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"

namespace sv::core::locks {

enum class lock_type : uint8_t { exclusive, shared, append, replace };

std::string_view to_string(lock_type t);
/// "EXCLUSIVE", "SHARED", "APPEND", "REPLACE" (any case).
std::optional<lock_type> parse_lock_type(std::string_view s);

/// A half-open time interval [start, end).
struct time_interval {
  utc_time start{};
  utc_time end{};
  bool overlaps(const time_interval& o) const { return start < o.end && o.start < end; }
  bool encloses(const time_interval& o) const { return start <= o.start && o.end <= end; }
  /// ISO 8601 "start/end", as Druid prints intervals.
  std::string to_string() const;
  friend bool operator==(const time_interval&, const time_interval&) = default;
};

struct lock_request {
  std::string datasource;
  std::string group;  ///< lock group: tasks of one group share locks
  std::string task_id;
  time_interval interval;
  lock_type type = lock_type::exclusive;
};

/// Whether a lock `held` by another group lets `wanted` be granted too.
bool compatible(lock_type held, const time_interval& held_interval, lock_type wanted,
                const time_interval& wanted_interval);

class lock_table {
 public:
  using ticket = uint64_t;

  struct decision {
    bool granted = false;
    std::vector<std::string> blocked_by;  ///< groups holding conflicting locks
  };

  struct held_lock {
    std::string datasource;
    std::string group;
    lock_type type = lock_type::exclusive;
    time_interval interval;
    std::vector<std::string> tasks;
  };

  struct waiter {
    ticket id = 0;
    lock_request request;
  };

  /// Grants `r` when no other group holds a conflicting lock; else it waits
  /// under `id` until a release makes it compatible.
  decision acquire(ticket id, lock_request r);

  /// Holds `r` again without a check, as it was granted before (a new
  /// leader's lockbox starts from the locks persisted when granted; they were
  /// compatible when granted, so they are together now).
  void restore(const lock_request& r) { grant(r); }

  /// Whether `task_id` holds any lock.
  bool holds(std::string_view task_id) const;

  /// Releases every lock `task_id` holds and drops its waiting requests.
  /// Returns the waiting tickets granted as a result, oldest first.
  std::vector<ticket> release_task(std::string_view task_id);

  /// Groups whose locks block `r` (empty when it could be granted now).
  std::vector<std::string> blockers(const lock_request& r) const;

  const std::vector<held_lock>& held() const { return held_; }
  const std::deque<waiter>& waiting() const { return waiting_; }
  bool is_waiting(std::string_view task_id) const;

  /// {"locks": [...], "waiting": [...]} with Druid's field names.
  json to_json() const;

 private:
  void grant(const lock_request& r);

  std::vector<held_lock> held_;
  std::deque<waiter> waiting_;
};

}  // namespace sv::core::locks
