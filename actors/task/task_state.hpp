#pragma once
// The task actor's state and the helpers its parts share (task_actor.cpp:
// handlers, reading, finishing; task/publish.cpp: building and publishing
// sequences; task/locks.cpp: time-chunk locks).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/task/ingest_pipeline.hpp"
#include "actors/task_actor.hpp"
#include "adapters/task_log.hpp"

namespace sv::actors::task {

enum class phase { not_started, starting, reading, paused, publishing };

inline std::string_view name_of(phase p) {
  switch (p) {
    case phase::not_started:
      return "NOT_STARTED";
    case phase::starting:
      return "STARTING";
    case phase::reading:
      return "READING";
    case phase::paused:
      return "PAUSED";
    case phase::publishing:
      return "PUBLISHING";
  }
  return "NOT_STARTED";
}

inline constexpr auto store_timeout = std::chrono::seconds{30};
/// How often a cooperative task checks its periods while no records arrive.
inline constexpr auto check_interval = std::chrono::seconds{1};

struct task_state {
  task_state() = default;
  core::task::task_spec spec;
  task_env env;
  /// The newest leader epoch that adopted this task (set_listener).
  int64_t leader_epoch = 0;
  std::unique_ptr<ingest_pipeline> pipe;
  std::unique_ptr<adapters::task_log> log;  ///< null without a log directory
  std::unique_ptr<core::task::sequences> seqs;
  phase ph = phase::not_started;
  core::utc_time started{};
  bool read_scheduled = false;
  bool checkpoint_pending = false;
  int32_t publishing = -1;  ///< sequence whose publish is in flight
  int32_t building = -1;    ///< sequence whose build runs on the build pool
  std::optional<core::publish_request> request;
  int publish_attempts = 0;
  /// Failed attempts to build and push a sequence's segments (a full or
  /// failing disk); the next one not before `build_retry_at`.
  int build_attempts = 0;
  std::chrono::steady_clock::time_point build_retry_at{};
  /// The last problem told to the listener (empty once things went well).
  std::string last_problem;
  core::utc_time sequence_started{};
  core::utc_time last_persist{};  ///< when rows were last persisted
  std::vector<core::segment_record> published;
  bool finished = false;
  /// Every chunk (start ms -> end ms) the task asked a lock for.
  std::map<int64_t, int64_t> lock_chunks;
  /// Chunks whose lock request was not granted yet.
  std::map<int64_t, int64_t> locks_pending;
  bool lockbox_unreachable = false;  ///< said once in the log
  bool told_waiting = false;
  static inline const char* name = "task";
};

using self_ptr = task_actor::stateful_pointer<task_state>;

enum class severity { info, warn, error };

/// One line in the task's own log (GET /druid/indexer/v1/task/{id}/log) and
/// in the node's log.
void note(self_ptr self, severity level, const std::string& message);
/// Logs a problem the task retries, and tells its supervisor when the problem
/// starts or its message changes (recentErrors of the supervisor's status).
void report_problem(self_ptr self, const std::string& message);

/// Ends the task: task row, task_finished to the listener, quit.
void finish(self_ptr self, bool success, const std::string& error);
/// Schedules the next read unless one is queued, the task is not reading, or
/// a lock request waits.
void schedule_read(self_ptr self);

// -- task/publish.cpp --------------------------------------------------------
/// Builds and publishes the oldest complete sequence, if none is in flight.
void maybe_publish(self_ptr self);
/// The build pool finished the sequence being built: publish it (or retry).
void on_build_done(self_ptr self);
/// (Re)sends the publish in flight to the metadata actor.
void send_publish(self_ptr self);

// -- task/locks.cpp ------------------------------------------------------------
/// Asks the lockbox for the chunks the last batch entered.
void request_locks(self_ptr self);
/// A lock request was granted (at once or later).
void on_lock_granted(self_ptr self, int64_t start);
/// Asks the lockbox for one chunk again (after an error).
void retry_lock(self_ptr self, int64_t start);
/// A new leader's lockbox: asks it for every chunk (it holds the granted
/// ones already, restored; asking makes them this task's again).
void use_lockbox(self_ptr self, lockbox_actor lockbox);

}  // namespace sv::actors::task
