#pragma once
// cluster_runner_actor — the leader's view of its workers' task slots
// (Druid's RemoteTaskRunner / HttpRemoteTaskRunner).
//
// Role: speaks the task runner's protocol to the supervisors of an overlord
//   and places their tasks on the cluster's workers: the worker with the most
//   free slots, replicas of one group on distinct workers, tasks no worker
//   can take wait PENDING in order (core::cluster::place). Lists, kills and
//   live reports go to the worker that runs the task.
// Lifecycle: spawned by an overlord node; follows the cluster views (workers
//   come and go with their registrations) until the node stops.
// Workers: connected through the middleman (never the blocking remote_actor)
//   and monitored. Every view it asks each worker for its tasks: slots free up
//   as tasks end, and tasks it did not place (an earlier leader's) are listed
//   too, so their supervisors can stop them. A new leader's adoption waits
//   until every registered worker has been connected to (or could not be), so
//   no running task is missed for a connection still being made.
// Messages in: the task_runner_actor protocol; cluster_view.
// Messages out: run_task and adopt_tasks (with the leader's lockbox), kill_task,
// list_runner_tasks, get_live_report to
//   workers' runners; task_finished (failed) to the supervisor of every task
//   of a worker that is lost.
// Failure behaviour: a worker whose connection drops (down_msg; heartbeats
//   make a silent one drop within the timeout) or whose registration goes
//   stale is lost at once: its tasks are reported failed to their
//   supervisors, which start their groups again elsewhere from the committed
//   offsets. If it comes back, it is a new worker; its stale tasks are listed
//   and stopped by their supervisors.

#include <chrono>

#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/typed_actor.hpp>

#include "actors/lockbox_actor.hpp"
#include "actors/task_runner_actor.hpp"
#include "messages/cluster_messages.hpp"

namespace sv::actors {

using cluster_runner_actor = task_runner_actor::extend<caf::reacts_to<msg::cluster_view>>;

struct cluster_runner_config {
  caf::io::middleman_actor middleman;  ///< connects to workers
  /// The leader's lockbox: every task placed or adopted asks it for locks.
  lockbox_actor lockbox;
  std::chrono::milliseconds timeout{10000};  ///< per request to a worker
  bool tls = false;  ///< `middleman` speaks TLS (for the log lines)
  /// A worker that refused or could not be reached is tried again after
  /// core::cluster::reconnect_delay(failures, retry_interval, retry_limit).
  std::chrono::milliseconds retry_interval{1000};
  std::chrono::milliseconds retry_limit{30000};
};

cluster_runner_actor spawn_cluster_runner(caf::actor_system& sys,
                                          cluster_runner_config cfg);

}  // namespace sv::actors
