#pragma once
// task_runner_actor — runs indexing tasks on this node (Druid's worker with
// its task runner).
//
// Role: holds a fixed number of slots (worker capacity). Submitted tasks run
//   at once when a slot is free, else wait in a FIFO queue and show as
//   PENDING. Writes each task's row at submission; the task rewrites it as it
//   runs and ends.
// Lifecycle: spawned once by the node. At start it marks task rows left
//   RUNNING by an earlier process FAILED (their actors died with it); on a
//   cluster's worker only rows at its own location, once it knows it. Lives
//   until the node stops; its tasks are killed with it. A worker's runner is
//   published on the middleman for the leader's cluster_runner_actor.
// Messages in: run_task, kill_task, list_runner_tasks, get_live_report;
//   adopt_tasks (failover: the tasks of a supervisor report to a new listener,
//   set_listener is forwarded to each with the leader's epoch). Each task
//   keeps the newest epoch that placed (run_task) or adopted it; an older
//   leader's adopt_tasks skips it and its kill_task is refused (an
//   operator's kill, epoch -1, is not).
// Messages out: task_launched to the task's listener (its supervisor) when the
//   task gets a slot; md_upsert_task / md_list_tasks to the metadata actor.
//   Tasks talk to their listener directly (checkpoint_requested,
//   predecessor_query, task_finished).
// Failure behaviour: it monitors every task. A task that ends on its own has
//   reported itself; one that was killed or crashed is reported here instead:
//   its row becomes FAILED with the reason, and its listener gets
//   task_finished (success false). Either way its slot goes to the next task.

#include <functional>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/task_actor.hpp"
#include "messages/runner_messages.hpp"

namespace sv::actors {

using task_runner_actor =
    caf::typed_actor<caf::replies_to<msg::run_task>::with<msg::ack>,
                     caf::replies_to<msg::kill_task>::with<msg::ack>,
                     caf::replies_to<msg::list_runner_tasks>::with<msg::runner_task_list>,
                     caf::replies_to<msg::get_live_report>::with<core::json>,
                     caf::replies_to<msg::adopt_tasks>::with<msg::adopted_tasks>,
                     caf::reacts_to<msg::set_runner_location>>;

/// Who submits tasks (a supervisor): hears from the runner and its tasks.
using task_owner = task_listener::extend<caf::reacts_to<msg::task_launched>>;

/// Spawns one task (default: spawn_task, detached). Tests plug in fakes.
using task_spawner =
    std::function<task_actor(caf::actor_system&, core::task::task_spec, task_env)>;

struct task_runner_config {
  int32_t capacity = 4;  ///< slots (druid.worker.capacity)
  /// What every task gets; its listener is set per task.
  task_env env;
  task_spawner spawn;  ///< empty: spawn_task(..., placement::detached)
  /// On a cluster's worker: task rows left RUNNING count as orphans only
  /// where their location is this node's (known once set_runner_location
  /// arrives); other workers' tasks are theirs.
  bool own_rows_only = false;
};

task_runner_actor spawn_task_runner(caf::actor_system& sys, task_runner_config cfg);

}  // namespace sv::actors
