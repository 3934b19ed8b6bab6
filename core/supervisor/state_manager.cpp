#include "core/supervisor/state_manager.hpp"

namespace sv::core::supervisor {

bool state_manager::unhealthy_now() const {
  auto b = basic_of(state_);
  return b == basic_state::unhealthy_supervisor || b == basic_state::unhealthy_tasks;
}

void state_manager::maybe_set(detailed_state proposed) {
  if (state_ == detailed_state::stopping) return;
  if (failed_runs_ >= t_.unhealthiness) {
    state_ = last_error_stream_
                 ? (ever_succeeded_ ? detailed_state::lost_contact_with_stream
                                    : detailed_state::unable_to_connect_to_stream)
                 : detailed_state::unhealthy_supervisor;
    return;
  }
  if (failed_tasks_ >= t_.task_unhealthiness) {
    state_ = detailed_state::unhealthy_tasks;
    return;
  }
  // Stay unhealthy until enough good runs / tasks in a row.
  if (unhealthy_now()) {
    bool supervisor_side = basic_of(state_) == basic_state::unhealthy_supervisor;
    if (supervisor_side && good_runs_ < t_.healthiness) return;
    if (!supervisor_side && good_tasks_ < t_.task_healthiness) return;
  }
  if (is_first_run_only(proposed) && first_run_done_) return;
  if (!is_first_run_only(proposed) && !first_run_done_ &&
      proposed != detailed_state::suspended && proposed != detailed_state::completed &&
      proposed != detailed_state::stopping)
    return;  // steady states only after the first successful run
  state_ = proposed;
}

void state_manager::record_error(utc_time at, std::string exception_class,
                                 std::string message, bool stream) {
  run_failed_ = true;
  last_error_stream_ = stream;
  errors_.push_back(
      error_event{at, std::move(exception_class), std::move(message), stream});
  while (errors_.size() > static_cast<size_t>(std::max(1, t_.max_stored_errors)))
    errors_.pop_front();
}

void state_manager::note_error(utc_time at, std::string exception_class,
                               std::string message) {
  errors_.push_back(
      error_event{at, std::move(exception_class), std::move(message), false});
  while (errors_.size() > static_cast<size_t>(std::max(1, t_.max_stored_errors)))
    errors_.pop_front();
}

void state_manager::run_finished(bool suspended) {
  if (run_failed_) {
    ++failed_runs_;
    good_runs_ = 0;
  } else {
    ++good_runs_;
    failed_runs_ = 0;
    ever_succeeded_ = true;
    first_run_done_ = true;
  }
  run_failed_ = false;
  if (state_ == detailed_state::idle || state_ == detailed_state::completed) {
    if (failed_runs_ < t_.unhealthiness && failed_tasks_ < t_.task_unhealthiness) return;
  }
  maybe_set(suspended ? detailed_state::suspended : detailed_state::running);
}

void state_manager::task_succeeded() {
  ++good_tasks_;
  failed_tasks_ = 0;
}

void state_manager::task_failed() {
  ++failed_tasks_;
  good_tasks_ = 0;
}

void state_manager::restart_first_run() {
  if (state_ == detailed_state::stopping) return;
  first_run_done_ = false;
  state_ = detailed_state::pending;
}

}  // namespace sv::core::supervisor
