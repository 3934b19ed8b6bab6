#pragma once
// A task's own log (Druid's task log, GET /druid/indexer/v1/task/{id}/log):
// {dir}/{task id}.log, one line per event ("2026-01-01T00:00:00.000Z INFO
// message"), appended and flushed at once. Written only from the task's own
// (detached) actor; read from HTTP threads.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace sv::adapters {

class task_log {
 public:
  virtual ~task_log() = default;
  /// Appends one line; errors are dropped (a log must never fail a task).
  virtual void write(std::string_view level, std::string_view message) = 0;
};

/// Opens (creating `dir` when needed) the log of `task_id` for appending;
/// a log that cannot be opened writes nowhere.
std::unique_ptr<task_log> open_task_log(const std::string& dir,
                                        const std::string& task_id);

/// The log of `task_id`: from byte `offset` when >= 0, the last -offset bytes
/// when negative; at most the last 16 MiB of that. errc::io_error when there
/// is none.
caf::expected<std::string> read_task_log(const std::string& dir,
                                         const std::string& task_id, int64_t offset);

}  // namespace sv::adapters
