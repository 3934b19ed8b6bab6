#pragma once
// Druid's supervisor state manager: turns run outcomes and task outcomes into
// the basic/detailed state, with the node's thresholds, and keeps the recent
// errors shown in the status report.
//
// Rules (Druid's SupervisorStateManager): STOPPING is final; after
// unhealthinessThreshold failed runs in a row the state is
// UNHEALTHY_SUPERVISOR (LOST_CONTACT_WITH_STREAM / UNABLE_TO_CONNECT_TO_STREAM
// when the last error was a stream error, depending on whether a run ever
// succeeded); after taskUnhealthinessThreshold failed tasks in a row it is
// UNHEALTHY_TASKS; an unhealthy state stays until healthinessThreshold good
// runs (taskHealthinessThreshold good tasks) in a row; first-run states are
// shown only until the first successful run.

#include <deque>
#include <string>

#include "core/status_report.hpp"
#include "core/supervisor_state.hpp"
#include "core/time.hpp"

namespace sv::core::supervisor {

struct state_thresholds {
  int32_t unhealthiness = 3;       ///< druid.supervisor.unhealthinessThreshold
  int32_t healthiness = 3;         ///< druid.supervisor.healthinessThreshold
  int32_t task_unhealthiness = 3;  ///< druid.supervisor.taskUnhealthinessThreshold
  int32_t task_healthiness = 3;    ///< druid.supervisor.taskHealthinessThreshold
  int32_t max_stored_errors = 3;   ///< druid.supervisor.maxStoredExceptionEvents
};

class state_manager {
 public:
  explicit state_manager(state_thresholds t = {}) : t_(t) {}

  /// Proposes a state (a first-run state, RUNNING, SUSPENDED, IDLE, ...).
  void maybe_set(detailed_state proposed);
  /// Records an error of the current run (stream errors mark contact lost).
  void record_error(utc_time at, std::string exception_class, std::string message,
                    bool stream);
  /// Shows a problem in recentErrors without failing the run (a task
  /// retrying a full deep storage or an unavailable store).
  void note_error(utc_time at, std::string exception_class, std::string message);
  /// Ends a run: counts it as failed if an error was recorded during it, and
  /// proposes RUNNING or SUSPENDED (unless IDLE or COMPLETED hold).
  void run_finished(bool suspended);
  void task_succeeded();
  void task_failed();
  /// STOPPING wins forever.
  void stopping() { state_ = detailed_state::stopping; }
  /// Back to the first-run states (after resume or a reset).
  void restart_first_run();

  detailed_state state() const { return state_; }
  const std::deque<error_event>& recent_errors() const { return errors_; }
  bool ever_succeeded() const { return ever_succeeded_; }

 private:
  bool unhealthy_now() const;

  state_thresholds t_;
  detailed_state state_ = detailed_state::pending;
  bool run_failed_ = false;
  bool last_error_stream_ = false;
  bool ever_succeeded_ = false;
  bool first_run_done_ = false;
  int32_t failed_runs_ = 0, good_runs_ = 0;
  int32_t failed_tasks_ = 0, good_tasks_ = 0;
  std::deque<error_event> errors_;
};

}  // namespace sv::core::supervisor
