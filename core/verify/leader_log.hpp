#pragma once
// "Only the current leader epoch wrote leader rows": a cluster's leader log
// (one row per election and per fenced leader write, in commit order) read
// back and checked. Pure; `streamvisor verify` and the fault runs feed it.

#include <cstdint>
#include <string>
#include <vector>

#include "core/verify/checker.hpp"

namespace sv::core::verify {

struct leader_log_row {
  int64_t seq = 0;    ///< commit order
  int64_t epoch = 0;  ///< the epoch elected, or the writer's epoch
  std::string kind;   ///< "elected", or what was written ("spec", "audit", ...)
  std::string at;     ///< when (ISO 8601)
};

/// Elections must raise the epoch; every write must carry the epoch of the
/// last election before it. Each row breaking that is one violation.
violation_list check_leader_log(const std::vector<leader_log_row>& rows,
                                size_t listed = 20);

}  // namespace sv::core::verify
