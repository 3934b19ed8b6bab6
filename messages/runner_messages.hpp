#pragma once
// Messages of the task runner: supervisors submit and kill tasks, the API
// lists them, and the runner tells a task's supervisor when it starts.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>

#include "messages/task_messages.hpp"

namespace sv::msg {

/// Start a task now, or queue it until a slot frees. `listener` (the
/// supervisor) gets task_launched, and checkpoint_requested,
/// predecessor_query and task_finished from the task.
struct run_task {
  core::task::task_spec spec;
  caf::strong_actor_ptr listener;
  /// The leader epoch of the supervisor that placed it (0 on a single node):
  /// the task refuses commands of older epochs.
  int64_t epoch = 0;
  /// The lockbox the task asks for its time-chunk locks (a cluster leader's);
  /// null: the runner's own.
  caf::strong_actor_ptr lockbox;
  friend bool operator==(const run_task& a, const run_task& b) {
    return a.spec.id == b.spec.id && a.listener == b.listener && a.epoch == b.epoch &&
           a.lockbox == b.lockbox;
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_task& x) {
  return f(caf::meta::type_name("run_task"), x.spec, x.listener, x.epoch, x.lockbox);
}

/// Stop a task at once (nothing is published). Unknown ids are ignored.
struct kill_task {
  std::string task_id;
  std::string reason;
  /// A supervisor's kill carries its leader epoch (0 on a single node) and is
  /// refused when the task was placed or adopted at a newer one; an
  /// operator's kill has none (-1).
  int64_t epoch = -1;
  friend bool operator==(const kill_task&, const kill_task&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kill_task& x) {
  return f(caf::meta::type_name("kill_task"), x.task_id, x.reason, x.epoch);
}

/// A queued task got a slot and runs: here is its handle (a task_actor).
struct task_launched {
  std::string task_id;
  caf::strong_actor_ptr task;
  std::string start_time;  ///< ISO 8601
  friend bool operator==(const task_launched&, const task_launched&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_launched& x) {
  return f(caf::meta::type_name("task_launched"), x.task_id, x.task, x.start_time);
}

/// The runner's live tasks (PENDING: waiting for a slot; RUNNING), optionally
/// of one supervisor.
struct list_runner_tasks {
  std::string supervisor_id;
  friend bool operator==(const list_runner_tasks&, const list_runner_tasks&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_runner_tasks& x) {
  return f(caf::meta::type_name("list_runner_tasks"), x.supervisor_id);
}

struct runner_task {
  std::string id;
  std::string supervisor_id;
  std::string data_source;
  std::string type;
  int32_t group_id = 0;
  std::string status;        ///< PENDING or RUNNING (Druid's runnerStatusCode)
  std::string created_date;  ///< submitted, ISO 8601
  std::string start_time;    ///< empty while pending
  std::string location;      ///< host:port of the node running it; empty while pending
  friend bool operator==(const runner_task&, const runner_task&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, runner_task& x) {
  return f(caf::meta::type_name("runner_task"), x.id, x.supervisor_id, x.data_source,
           x.type, x.group_id, x.status, x.created_date, x.start_time, x.location);
}

struct runner_task_list {
  std::vector<runner_task> tasks;
  int32_t capacity = 0;
  std::string location;        ///< "host:port" of the node (Druid's worker host)
  std::string last_completed;  ///< when a task last ended (ISO 8601); empty: none yet
  friend bool operator==(const runner_task_list&, const runner_task_list&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, runner_task_list& x) {
  return f(caf::meta::type_name("runner_task_list"), x.tasks, x.capacity, x.location,
           x.last_completed);
}

/// The node's HTTP address is known (it binds after the runner starts):
/// tasks started from now on record it as their location.
struct set_runner_location {
  std::string location;  ///< "host:port"
  friend bool operator==(const set_runner_location&,
                         const set_runner_location&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, set_runner_location& x) {
  return f(caf::meta::type_name("set_runner_location"), x.location);
}

/// Failover: a new leader's supervisor takes over the tasks of its id on
/// this runner. They report to `listener` from now on (set_listener with the
/// leader's epoch); the reply describes the running ones.
struct adopt_tasks {
  std::string supervisor_id;
  caf::strong_actor_ptr listener;
  int64_t epoch = 0;
  /// The adopting leader's lockbox (null: the tasks keep theirs).
  caf::strong_actor_ptr lockbox;
  friend bool operator==(const adopt_tasks& a, const adopt_tasks& b) {
    return a.supervisor_id == b.supervisor_id && a.listener == b.listener &&
           a.epoch == b.epoch && a.lockbox == b.lockbox;
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, adopt_tasks& x) {
  return f(caf::meta::type_name("adopt_tasks"), x.supervisor_id, x.listener, x.epoch,
           x.lockbox);
}

struct adopted_task {
  core::task::task_spec spec;
  caf::strong_actor_ptr task;
  std::string start_time;  ///< ISO 8601
  std::string location;    ///< host:port of its worker
  friend bool operator==(const adopted_task& a, const adopted_task& b) {
    return a.spec.id == b.spec.id && a.task == b.task;
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, adopted_task& x) {
  return f(caf::meta::type_name("adopted_task"), x.spec, x.task, x.start_time,
           x.location);
}

struct adopted_tasks {
  std::vector<adopted_task> tasks;
  friend bool operator==(const adopted_tasks&, const adopted_tasks&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, adopted_tasks& x) {
  return f(caf::meta::type_name("adopted_tasks"), x.tasks);
}

/// To a task: report to `listener` from now on. A task refuses an epoch older
/// than the newest it has seen (a former leader's).
struct set_listener {
  caf::strong_actor_ptr listener;
  int64_t epoch = 0;
  /// The new leader's lockbox (null: the task keeps its own): the task asks
  /// it for every time-chunk lock it holds or waits for.
  caf::strong_actor_ptr lockbox;
  friend bool operator==(const set_listener&, const set_listener&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, set_listener& x) {
  return f(caf::meta::type_name("set_listener"), x.listener, x.epoch, x.lockbox);
}

/// The live report of a running task (GET /task/{id}/reports while it runs).
struct get_live_report {
  std::string task_id;
  friend bool operator==(const get_live_report&, const get_live_report&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_live_report& x) {
  return f(caf::meta::type_name("get_live_report"), x.task_id);
}

}  // namespace sv::msg
