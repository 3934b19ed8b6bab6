// SQL over system tables (adapters/system_query): SQLite plans and runs what
// Druid users write against sys.* — filters, ORDER BY, LIMIT/OFFSET, GROUP BY,
// CASE, CTEs, parameters — and refuses anything but one read, within limits.

#include <doctest/doctest.h>

#include "adapters/errc.hpp"
#include "adapters/system_query.hpp"
#include "core/errc.hpp"

using namespace sv;
namespace sql = core::sql;

namespace {

std::vector<sql::table> tables() {
  std::vector<sql::supervisor_row> sups;
  auto add = [&](std::string id, core::detailed_state st, bool suspended) {
    core::supervisor_summary s;
    s.id = id;
    s.data_source = id;
    s.type = "kafka";
    s.source = "topic_" + id;
    s.state = st;
    s.suspended = suspended;
    sups.push_back({s, core::json::make_object({{"type", "kafka"}})});
  };
  add("wiki", core::detailed_state::running, false);
  add("ads", core::detailed_state::unhealthy_supervisor, false);
  add("logs", core::detailed_state::suspended, true);
  return {sql::supervisors_table(sups), sql::tasks_table({}), sql::segments_table({})};
}

sql::result_set run(const std::string& q, std::vector<sql::cell> params = {}) {
  auto r = adapters::run_system_query(tables(), q, params);
  REQUIRE_MESSAGE(r, core::error_message(r.error()));
  return *r;
}

std::string text(const sql::cell& c) {
  return std::get<std::string>(c);
}

bool refused(const std::string& q, adapters::errc why = adapters::errc::bad_query,
             adapters::query_limits limits = {}) {
  auto r = adapters::run_system_query(tables(), q, {}, limits);
  if (r) return false;
  return r.error().code() == static_cast<uint8_t>(why);
}

}  // namespace

TEST_CASE("system query: what Druid users write against sys.supervisors") {
  auto unhealthy = run("SELECT * FROM sys.supervisors WHERE healthy=0");
  REQUIRE(unhealthy.rows.size() == 1);
  CHECK(text(unhealthy.rows[0][0]) == "ads");
  REQUIRE(unhealthy.columns.size() == 9);
  CHECK(unhealthy.columns[0].name == "supervisor_id");
  CHECK(unhealthy.columns[4].name == "healthy");
  CHECK(unhealthy.columns[4].type == sql::column_type::long_);
  CHECK(unhealthy.columns[8].name == "spec");

  auto ordered =
      run("SELECT \"supervisor_id\" FROM sys.supervisors ORDER BY supervisor_id LIMIT 2 "
          "OFFSET 1");
  REQUIRE(ordered.rows.size() == 2);
  CHECK(text(ordered.rows[0][0]) == "logs");
  CHECK(text(ordered.rows[1][0]) == "wiki");

  auto grouped =
      run("SELECT healthy, COUNT(*) AS n FROM sys.supervisors GROUP BY healthy ORDER BY "
          "healthy");
  REQUIRE(grouped.rows.size() == 2);
  CHECK(std::get<int64_t>(grouped.rows[1][1]) == 2);
  CHECK(grouped.columns[1].type == sql::column_type::long_);

  auto cased =
      run("WITH s AS (SELECT supervisor_id, suspended FROM sys.supervisors) "
          "SELECT supervisor_id, CASE WHEN suspended = 1 THEN 'SUSPENDED' ELSE 'ON' END "
          "AS st "
          "FROM s WHERE supervisor_id = ? ORDER BY 1",
          {sql::cell{std::string{"logs"}}});
  REQUIRE(cased.rows.size() == 1);
  CHECK(text(cased.rows[0][1]) == "SUSPENDED");
  CHECK(cased.columns[1].type == sql::column_type::string);
  // The other system tables are there, empty, with Druid's columns.
  CHECK(run("SELECT task_id, runner_status, error_msg FROM sys.tasks").rows.empty());
  CHECK(run("SELECT segment_id, \"start\", \"end\", is_published FROM sys.segments")
            .rows.empty());
}

TEST_CASE("system query: one read only; errors are the engine's") {
  CHECK(refused("SELECT * FROM sys.nothing"));
  CHECK(refused("SELEC 1"));
  CHECK(refused("DELETE FROM sys.supervisors"));
  CHECK(refused("INSERT INTO sys.supervisors (supervisor_id) VALUES ('x')"));
  CHECK(refused("DROP TABLE sys.supervisors"));
  CHECK(refused("ATTACH '/tmp/x.db' AS x"));
  CHECK(refused("PRAGMA table_info('supervisors')"));
  CHECK(refused("SELECT 1; DELETE FROM sys.supervisors"));
  CHECK(refused("SELECT ?"));  // a parameter without a value
  CHECK(refused(""));
  // Trailing semicolons and comments are fine.
  CHECK(run("SELECT 1 AS one; -- done\n").rows.size() == 1);
}

TEST_CASE("system query: limits on time, rows and size") {
  adapters::query_limits quick;
  quick.time = std::chrono::milliseconds{200};
  CHECK(
      refused("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
              "SELECT COUNT(*) FROM c",
              adapters::errc::query_limit, quick));
  adapters::query_limits few;
  few.max_rows = 10;
  CHECK(
      refused("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 11) "
              "SELECT x FROM c",
              adapters::errc::query_limit, few));
  CHECK(
      refused("SELECT '" + std::string(200000, 'x') + "'", adapters::errc::query_limit));
}
