#pragma once
// Druid's system tables over what this node knows (reference §9.1):
// sys.supervisors, sys.tasks and sys.segments, with Druid's column names and
// types, as plain tables that an SQL engine (adapters/sql_engine) loads and
// queries. Pure: the rows come from the callers' snapshots.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/records.hpp"
#include "core/supervisor_state.hpp"

namespace sv::core::sql {

/// Druid's column types: STRING (VARCHAR), LONG (BIGINT), DOUBLE (DOUBLE).
enum class column_type { string, long_, double_ };

/// Druid's native type name (STRING, LONG, DOUBLE) and SQL type name
/// (VARCHAR, BIGINT, DOUBLE).
std::string_view native_name(column_type t);
std::string_view sql_name(column_type t);

struct column {
  std::string name;
  column_type type = column_type::string;
};

using cell = std::variant<std::monostate, int64_t, double, std::string>;
using row = std::vector<cell>;

struct table {
  std::string name;  ///< without the schema: supervisors, tasks, segments
  std::vector<column> columns;
  std::vector<row> rows;
};

struct supervisor_row {
  supervisor_summary summary;
  json spec;  ///< as the API prints it (secrets masked by the caller)
};

/// A task as the node knows it: its row, and when it still runs here the
/// runner's status (RUNNING, PENDING, WAITING).
struct task_row {
  task_record record;
  std::string runner_status;  ///< empty: not running
};

table supervisors_table(const std::vector<supervisor_row>& rows);
table tasks_table(const std::vector<task_row>& rows);
table segments_table(const std::vector<segment_record>& rows);

/// The system tables a query names (case-insensitive word match on
/// supervisors, tasks, segments), so that only those are built.
struct wanted_tables {
  bool supervisors = false, tasks = false, segments = false;
};
wanted_tables tables_named(const std::string& query);

}  // namespace sv::core::sql
