#pragma once
// The supervisor actor's state and the helpers its handlers share
// (supervisor_actor.cpp: handlers; supervisor/run_loop.cpp: runs, actions,
// the roll-over conversation; supervisor/reports.cpp: stats, parse errors).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/supervisor_actor.hpp"
#include "core/supervisor/reconciler.hpp"

namespace sv::actors::supervisor {

/// A reset-and-backfill in progress (supervisor/backfill.cpp).
struct backfill_conversation {
  enum class step { begin, pause, persist };
  step step = step::begin;
  msg::reset_and_backfill request;
  caf::typed_response_promise<msg::backfill_reply> rp;
  core::supervisor::backfill_plan plan;
  size_t pending = 0;
  std::map<int32_t, core::offset_map> paused;  ///< group -> furthest read
  std::vector<std::string> paused_tasks;
  std::vector<std::string> failed;
  core::supervisor::backfill_offsets range;
  std::string backfill_id;
  core::supervisor_spec backfill_spec;
  int busy_attempts = 0;
  int store_attempts = 0;
  int id_attempts = 0;
};

/// The autoscaler of a supervisor with autoScalerConfig enabled, and what it
/// decided (supervisor/autoscale.cpp).
struct autoscale_info {
  autoscaler_actor actor;
  std::string config;  ///< the autoScalerConfig it runs with (JSON)
  std::optional<core::utc_time> last_scale;
  bool scaling = false;  ///< the new task count is being persisted
  core::json last_decision;
  int32_t last_desired = -1;
  int64_t scale_outs = 0, scale_ins = 0, skipped = 0;
};

struct state {
  // Not an aggregate: CAF would otherwise try to construct the state from `self`.
  state() = default;
  supervisor_env env;
  supervisor_listener listener;
  std::unique_ptr<core::supervisor::reconciler> rec;
  stream_probe_actor probe;
  std::map<std::string, task_actor> tasks;  ///< launched tasks
  /// Tasks waiting for a time-chunk lock (shown in status).
  std::map<std::string, msg::task_lock_wait> lock_waits;

  // Run scheduling.
  bool run_queued = false;     ///< a run_atom is on its way
  bool run_active = false;     ///< waiting for the probe / the row
  bool ticks_on_slot = false;  ///< the run ticks have met their slot grid
  bool lags_on_slot = false;   ///< the lag refreshes have met theirs
  bool run_again = false;      ///< something happened during a run
  bool run_again_now = false;  ///< ... that needs the next run at once
  core::utc_time last_run{};
  int64_t runs = 0;

  // Terminate: promises answered once every reading group handed off.
  std::vector<caf::typed_response_promise<msg::ack>> stop_waiters;

  std::optional<core::supervisor_summary> last_summary;
  std::shared_ptr<backfill_conversation> backfill;
  autoscale_info autoscale;
  static inline const char* name = "supervisor";

  core::utc_time now() const { return env.clock(); }
  const core::supervisor_spec& spec() const { return rec->spec(); }
};

using self_ptr = supervisor_actor::stateful_pointer<state>;

/// Asks for a run (coalesced, at least min_run_interval after the last one).
/// `now`: at once, whatever the interval (after an operator's action whose
/// effect needs a run, such as the new groups of a reset to latest).
void request_run(self_ptr self, bool now = false);
/// A run: probe, offsets row, plan, execute.
void on_run(self_ptr self);
/// Executes planner actions; `done` (if any) is answered once the offsets
/// row edit or delete among them is written (at once if there is none).
void execute(self_ptr self, core::supervisor::actions acts,
             std::optional<caf::typed_response_promise<msg::ack>> done = std::nullopt);

/// Failover: adopt the running tasks of this id before the first run
/// (supervisor/adopt.cpp).
void discover_tasks(self_ptr self);

/// Refreshes latest offsets and the tasks' current offsets.
void refresh_lag(self_ptr self);
/// Asks every task for its current offsets (each run, with the latest).
void refresh_task_offsets(self_ptr self);
/// Tells the manager when the summary changed; answers stop waiters.
void after_change(self_ptr self);
/// (Re)spawns the stream probe for the current spec.
void respawn_probe(self_ptr self);

/// POST /resetToLatestAndBackfill (supervisor/backfill.cpp).
caf::result<msg::backfill_reply> start_backfill(self_ptr self,
                                                msg::reset_and_backfill& m);
/// A delayed retry of the conversation's current step.
void backfill_step(self_ptr self);

/// The autoscaler (supervisor/autoscale.cpp): (re)spawned when its config
/// changes; lag samples for it; its notices gated and applied through the
/// manager; its window cleared by resets; its part of the status.
void respawn_autoscaler(self_ptr self);
msg::lag_sample lag_sample(self_ptr self);
void on_scale_notice(self_ptr self, const msg::scale_notice& m);
void reset_lag_window(self_ptr self);
std::optional<core::json> autoscaler_status(self_ptr self);

/// GET /stats and /parseErrors: asks every live task.

caf::result<core::json> collect_stats(self_ptr self);
caf::result<core::json> collect_parse_errors(self_ptr self);

}  // namespace sv::actors::supervisor
