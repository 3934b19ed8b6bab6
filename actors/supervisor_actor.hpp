#pragma once
// supervisor_actor — one per supervisor spec id (Druid's
// SeekableStreamSupervisor).
//
// Role: keeps task groups reading every partition of its stream, rolls them
//   over at taskDuration, sees them publish, replaces failures, and reports
//   state, status, lag, stats and parse errors in Druid's shapes. Every
//   decision is made by core::supervisor::reconciler; this actor feeds it
//   observations and executes its actions (start and kill tasks through the
//   task runner, the pause / end-offsets conversation with a group's tasks,
//   offsets-row edits).
// Lifecycle: spawned and monitored by the manager when a spec is created or
//   loaded at start-up; lives across spec updates, suspend and resume (it
//   receives spec_updated); stop_supervisor (terminate) makes every reading
//   group publish, then it replies and quits. At start it kills tasks of its
//   id a previous incarnation left behind.
// Runs: after startDelay, then every period at a fixed rate on the
//   supervisor's own slot of the period (core/supervisor/run_slots.hpp), and
//   after task events and notices;
//   coalesced (at most one pending) and at least min_run_interval apart. A run
//   asks its stream probe for partitions and offsets and the metadata actor
//   for the offsets row, then plans. Lag (latest offsets and the tasks'
//   current offsets) is refreshed every max(offsetFetchPeriod, 5 s).
// Messages in: the supervisor API (status, spec_updated, stop, reset,
//   resetOffsets, resetToLatestAndBackfill, handoff, stats, parse errors);
//   from its tasks
//   checkpoint_requested, predecessor_query, task_finished; task_launched from
//   the runner; its own timers.
// Messages out: supervisor_state_changed to the manager when its summary
//   changes, create_backfill_supervisor for a backfill; run_task / kill_task
//   to the runner; the chat API to its tasks; md_get_offsets /
//   md_edit_offsets / md_delete_offsets to the metadata actor.
// Reset to latest and backfill (supervisor/backfill.cpp): pause every reading
//   group, read latest, have the manager create the backfill supervisor (its
//   spec with the row's jump in one transaction; retried while the store is
//   unavailable, a taken id drawn again; tasks stay paused), then seal the
//   groups and start new ones at the latest offsets. Before the
//   transaction any failure resumes the paused tasks and changes nothing.
// Failure behaviour: stream and store errors fail the run (recentErrors, and
//   after unhealthinessThreshold runs an unhealthy state) and are retried on
//   the next run; a task that does not answer the pause / end-offsets calls
//   within chat_timeout is killed and replaced. If the actor dies the manager
//   spawns it again; it then starts from the offsets row.

#include <chrono>
#include <functional>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/autoscaler_actor.hpp"
#include "actors/metadata_actor.hpp"
#include "actors/probe_hub.hpp"
#include "actors/stream_probe_actor.hpp"

#include "actors/task_runner_actor.hpp"
#include "core/supervisor/reconciler.hpp"
#include "messages/supervisor_messages.hpp"

namespace sv::actors {

using run_atom = caf::atom_constant<caf::atom("run")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using lag_atom = caf::atom_constant<caf::atom("lag")>;
using backfill_atom = caf::atom_constant<caf::atom("backfill")>;

using supervisor_actor = task_owner::extend<
    caf::replies_to<msg::get_supervisor_status>::with<msg::supervisor_report>,
    caf::reacts_to<msg::spec_updated>,
    caf::replies_to<msg::stop_supervisor>::with<msg::ack>,
    caf::replies_to<msg::reset_supervisor>::with<msg::ack>,
    caf::replies_to<msg::reset_supervisor_offsets>::with<msg::ack>,
    caf::replies_to<msg::handoff_task_groups>::with<msg::ack>,
    caf::replies_to<msg::get_supervisor_stats>::with<core::json>,
    caf::replies_to<msg::get_parse_errors>::with<core::json>,
    caf::replies_to<msg::reset_and_backfill>::with<msg::backfill_reply>,
    caf::replies_to<msg::get_lag_sample>::with<msg::lag_sample>,
    caf::reacts_to<msg::scale_notice>, caf::reacts_to<run_atom>,
    caf::reacts_to<tick_atom>, caf::reacts_to<lag_atom>, caf::reacts_to<backfill_atom>>;

/// The part of the manager's interface a supervisor talks to.
using supervisor_listener =
    caf::typed_actor<caf::reacts_to<msg::supervisor_state_changed>,
                     caf::replies_to<msg::create_backfill_supervisor>::with<msg::ack>,
                     caf::replies_to<msg::scale_supervisor>::with<msg::ack>>;

/// What the node gives every supervisor.
struct supervisor_env {
  metadata_actor metadata;
  task_runner_actor runner;
  probe_opener open_probe;
  placement probe_placement = placement::detached;
  /// The node's shared probe clients; when set, supervisors use it instead
  /// of a probe (and client) of their own from open_probe.
  std::shared_ptr<probe_hub> probes;
  core::supervisor::reconciler_config planner;
  /// Wall clock for the planner; tests use the test scheduler's clock.
  std::function<core::utc_time()> clock;
  std::chrono::milliseconds chat_timeout{10000};  ///< Druid's httpTimeout
  std::chrono::milliseconds store_timeout{30000};
  std::chrono::milliseconds min_run_interval{1000};
  /// The cluster's leader epoch while this node leads; 0 on a single node.
  /// With an epoch, a supervisor adopts the running tasks of its id (a former
  /// leader's) before its first run instead of stopping them.
  int64_t epoch = 0;
};

/// Spawns a supervisor for `spec`, reporting to `listener`.
supervisor_actor spawn_supervisor(caf::actor_system& sys, core::supervisor_spec spec,
                                  supervisor_listener listener, supervisor_env env);

}  // namespace sv::actors
