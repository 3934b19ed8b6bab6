#pragma once
// The cluster's leader log (table leader_log): a row per election (written
// by the leader lock) and per fenced leader write (in the write's own
// transaction, after its epoch check), so that "only the current epoch wrote
// leader rows" can be checked afterwards (core/verify/leader_log.hpp).

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "adapters/sql/connection.hpp"
#include "core/verify/leader_log.hpp"

namespace sv::adapters::sql {

/// Appends a row; `kind` is "elected" or what was written.
caf::error insert_leader_log(connection& conn, const std::string& cluster, int64_t epoch,
                             const std::string& kind);
/// The cluster's rows in commit order.
caf::expected<std::vector<core::verify::leader_log_row>> select_leader_log(
    connection& conn, const std::string& cluster);

}  // namespace sv::adapters::sql
