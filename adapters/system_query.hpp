#pragma once
// SQL over the system tables: the tables are loaded into a private in-memory
// SQLite database (schema `sys`) and the query runs there, read-only — SQLite
// is the SQL engine, so filters, ORDER BY, LIMIT/OFFSET, GROUP BY, CASE, CTEs
// and window functions work as SQLite defines them.
//
// Hostile queries are bounded: one statement, only reads (an authorizer
// refuses everything else, including ATTACH and PRAGMA), limits on the text,
// expression depth and compound selects, a time limit and a row limit.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/sql/sql_request.hpp"

namespace sv::adapters {

struct query_limits {
  std::chrono::milliseconds time{5000};
  size_t max_rows = 100000;
  int max_sql_bytes = 100000;
};

/// errc::bad_query (the engine's message) for a query it refuses or cannot
/// plan; errc::query_limit past a limit (the message names which).
caf::expected<core::sql::result_set> run_system_query(
    const std::vector<core::sql::table>& tables, const std::string& query,
    const std::vector<core::sql::cell>& parameters, const query_limits& limits = {});

}  // namespace sv::adapters
