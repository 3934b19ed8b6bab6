#include "core/supervisor_state.hpp"

namespace sv::core {

basic_state basic_of(detailed_state s) {
  switch (s) {
    case detailed_state::pending:
      return basic_state::pending;
    case detailed_state::connecting_to_stream:
    case detailed_state::discovering_initial_tasks:
    case detailed_state::creating_tasks:
    case detailed_state::running:
      return basic_state::running;
    case detailed_state::idle:
      return basic_state::idle;
    case detailed_state::suspended:
      return basic_state::suspended;
    case detailed_state::stopping:
      return basic_state::stopping;
    case detailed_state::completed:
      return basic_state::completed;
    case detailed_state::unhealthy_supervisor:
    case detailed_state::unable_to_connect_to_stream:
    case detailed_state::lost_contact_with_stream:
      return basic_state::unhealthy_supervisor;
    case detailed_state::unhealthy_tasks:
      return basic_state::unhealthy_tasks;
  }
  return basic_state::pending;
}

bool is_healthy(detailed_state s) {
  auto b = basic_of(s);
  return b != basic_state::unhealthy_supervisor && b != basic_state::unhealthy_tasks;
}

bool is_first_run_only(detailed_state s) {
  switch (s) {
    case detailed_state::pending:
    case detailed_state::connecting_to_stream:
    case detailed_state::discovering_initial_tasks:
    case detailed_state::creating_tasks:
    case detailed_state::unable_to_connect_to_stream:
      return true;
    default:
      return false;
  }
}

std::string_view to_string(detailed_state s) {
  switch (s) {
    case detailed_state::pending:
      return "PENDING";
    case detailed_state::connecting_to_stream:
      return "CONNECTING_TO_STREAM";
    case detailed_state::discovering_initial_tasks:
      return "DISCOVERING_INITIAL_TASKS";
    case detailed_state::creating_tasks:
      return "CREATING_TASKS";
    case detailed_state::running:
      return "RUNNING";
    case detailed_state::idle:
      return "IDLE";
    case detailed_state::suspended:
      return "SUSPENDED";
    case detailed_state::stopping:
      return "STOPPING";
    case detailed_state::completed:
      return "COMPLETED";
    case detailed_state::unhealthy_supervisor:
      return "UNHEALTHY_SUPERVISOR";
    case detailed_state::unhealthy_tasks:
      return "UNHEALTHY_TASKS";
    case detailed_state::unable_to_connect_to_stream:
      return "UNABLE_TO_CONNECT_TO_STREAM";
    case detailed_state::lost_contact_with_stream:
      return "LOST_CONTACT_WITH_STREAM";
  }
  return "UNKNOWN";
}

std::string_view to_string(basic_state s) {
  switch (s) {
    case basic_state::pending:
      return "PENDING";
    case basic_state::running:
      return "RUNNING";
    case basic_state::idle:
      return "IDLE";
    case basic_state::suspended:
      return "SUSPENDED";
    case basic_state::stopping:
      return "STOPPING";
    case basic_state::completed:
      return "COMPLETED";
    case basic_state::unhealthy_supervisor:
      return "UNHEALTHY_SUPERVISOR";
    case basic_state::unhealthy_tasks:
      return "UNHEALTHY_TASKS";
  }
  return "UNKNOWN";
}

}  // namespace sv::core
