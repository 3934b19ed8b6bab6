#pragma once
// Supervisor states as Druid reports them: a basic state (PENDING, RUNNING,
// IDLE, SUSPENDED, STOPPING, UNHEALTHY_SUPERVISOR, UNHEALTHY_TASKS,
// COMPLETED) and a detailed state that refines it for stream supervisors
// (CONNECTING_TO_STREAM, LOST_CONTACT_WITH_STREAM, ...).

#include <cstdint>
#include <string>
#include <string_view>

namespace sv::core {

enum class detailed_state : uint8_t {
  pending,
  connecting_to_stream,
  discovering_initial_tasks,
  creating_tasks,
  running,
  idle,
  suspended,
  stopping,
  completed,
  unhealthy_supervisor,
  unhealthy_tasks,
  unable_to_connect_to_stream,
  lost_contact_with_stream,
};

enum class basic_state : uint8_t {
  pending,
  running,
  idle,
  suspended,
  stopping,
  completed,
  unhealthy_supervisor,
  unhealthy_tasks,
};

/// The basic state a detailed state reports as.
basic_state basic_of(detailed_state s);
/// Whether /health answers 200 in this state.
bool is_healthy(detailed_state s);
/// States reported only during the first run after start or resume.
bool is_first_run_only(detailed_state s);

/// Druid's names, e.g. "LOST_CONTACT_WITH_STREAM".
std::string_view to_string(detailed_state s);
std::string_view to_string(basic_state s);

/// One line per supervisor for the list endpoints and sys.supervisors.
struct supervisor_summary {
  std::string id;
  std::string data_source;
  std::string type;    ///< kafka, kinesis, rabbit
  std::string source;  ///< topic / stream
  detailed_state state = detailed_state::pending;
  bool suspended = false;
  friend bool operator==(const supervisor_summary&, const supervisor_summary&) = default;
};

}  // namespace sv::core
