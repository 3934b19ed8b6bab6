#pragma once
// The lag-based autoscaler and its supervisor; the supervisor asking the
// manager to persist a new task count.

#include <cstdint>
#include <string>

#include "messages/manager_messages.hpp"

namespace sv::msg {

/// Autoscaler -> supervisor: one lag sample, please.
struct get_lag_sample {
  friend bool operator==(const get_lag_sample&, const get_lag_sample&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_lag_sample&) {
  return f(caf::meta::type_name("get_lag_sample"));
}

/// Per-partition lag (when known), and what the decision needs.
struct lag_sample {
  bool suspended = false;
  bool known = false;
  core::offset_map lag;
  int32_t task_count = 1;
  int32_t partitions = 0;
  friend bool operator==(const lag_sample&, const lag_sample&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lag_sample& x) {
  return f(caf::meta::type_name("lag_sample"), x.suspended, x.known, x.lag, x.task_count,
           x.partitions);
}

/// Autoscaler -> supervisor: the task count it computed from `samples`
/// samples (-1: could not compute).
struct scale_notice {
  int32_t desired = -1;
  int32_t samples = 0;
  friend bool operator==(const scale_notice&, const scale_notice&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scale_notice& x) {
  return f(caf::meta::type_name("scale_notice"), x.desired, x.samples);
}

/// Supervisor -> autoscaler: forget the samples (after a scale or a reset).
struct reset_lag_window {
  friend bool operator==(const reset_lag_window&, const reset_lag_window&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reset_lag_window&) {
  return f(caf::meta::type_name("reset_lag_window"));
}

/// Supervisor -> manager: persist the spec with this taskCount (a new version
/// in the history, author "autoscaler") and apply it.
struct scale_supervisor {
  std::string id;
  int32_t task_count = 1;
  std::string comment;
  friend bool operator==(const scale_supervisor&, const scale_supervisor&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scale_supervisor& x) {
  return f(caf::meta::type_name("scale_supervisor"), x.id, x.task_count, x.comment);
}

}  // namespace sv::msg
