#include "adapters/sql/schema.hpp"

#include <string>
#include <vector>

#include "adapters/errc.hpp"

namespace sv::adapters::sql {

namespace {

struct migration {
  int32_t version;
  std::vector<std::string> statements;
};

// Table names follow Druid's (without the druid_ prefix). Payloads are JSON text
// (not jsonb) so member order survives.
std::vector<migration> migrations(dialect d) {
  const std::string serial = d == dialect::sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                                  : "BIGSERIAL PRIMARY KEY";
  return {
      {1,
       {
           "CREATE TABLE IF NOT EXISTS supervisors (id " + serial +
               ", spec_id TEXT NOT NULL, created_date TEXT NOT NULL, payload TEXT NOT "
               "NULL)",
           "CREATE INDEX IF NOT EXISTS idx_supervisors_spec_id ON supervisors (spec_id, "
           "id)",
           "CREATE TABLE IF NOT EXISTS datasource_metadata (supervisor_id TEXT PRIMARY "
           "KEY, "
           "created_date TEXT NOT NULL, payload TEXT NOT NULL, version BIGINT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS segments (id TEXT PRIMARY KEY, datasource TEXT "
           "NOT NULL, "
           "created_date TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT "
           "NULL, "
           "version TEXT NOT NULL, partition_num INTEGER NOT NULL, size_bytes BIGINT NOT "
           "NULL, "
           "num_rows BIGINT NOT NULL, path TEXT NOT NULL, used INTEGER NOT NULL, "
           "supervisor_id TEXT NOT NULL, payload TEXT NOT NULL)",
           "CREATE INDEX IF NOT EXISTS idx_segments_datasource ON segments (datasource, "
           "used)",
           "CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, supervisor_id TEXT "
           "NOT NULL, "
           "datasource TEXT NOT NULL, type TEXT NOT NULL, group_id INTEGER NOT NULL, "
           "status TEXT NOT NULL, created_date TEXT NOT NULL, location TEXT NOT NULL, "
           "payload TEXT NOT NULL, report TEXT NOT NULL)",
           "CREATE INDEX IF NOT EXISTS idx_tasks_supervisor ON tasks (supervisor_id)",
           "CREATE TABLE IF NOT EXISTS audit (id " + serial +
               ", audit_key TEXT NOT NULL, type TEXT NOT NULL, author TEXT NOT NULL, "
               "comment TEXT NOT NULL, payload TEXT NOT NULL, created_date TEXT NOT "
               "NULL)",
           "CREATE INDEX IF NOT EXISTS idx_audit_key ON audit (audit_key, id)",
       }},
      {2,
       {
           // Druid's task status "duration": run time of a finished task.
           "ALTER TABLE tasks ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT -1",
       }},
      {3,
       {
           // The cluster's leader: bumped by every overlord that wins the
           // leader lock; leader writes check it (leader_lock.hpp).
           "CREATE TABLE IF NOT EXISTS leader (cluster TEXT PRIMARY KEY, epoch BIGINT "
           "NOT "
           "NULL, node_id TEXT NOT NULL, address TEXT NOT NULL, since TEXT NOT NULL)",
       }},
      {4,
       {
           // Node registrations with heartbeats (node_registry.hpp).
           std::string{"CREATE TABLE IF NOT EXISTS nodes (cluster TEXT NOT NULL, id TEXT "
                       "NOT NULL, role TEXT NOT NULL, http_address TEXT NOT NULL, "
                       "cluster_address TEXT NOT NULL, capacity INTEGER NOT NULL, "
                       "version TEXT NOT NULL, started TEXT NOT NULL, heartbeat "} +
               (d == dialect::sqlite ? "TEXT" : "TIMESTAMPTZ") +
               " NOT NULL, PRIMARY KEY (cluster, id))",
       }},
      {5,
       {
           // Time-chunk locks a cluster's lockbox granted (lock_rows.hpp).
           "CREATE TABLE IF NOT EXISTS task_locks (seq " + serial +
               ", task_id TEXT NOT NULL, datasource TEXT NOT NULL, lock_group TEXT NOT "
               "NULL, type TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT "
               "NULL, UNIQUE (task_id, datasource, type, start_ms, end_ms))",
       }},
      {6,
       {
           // Elections and fenced leader writes, in commit order
           // (leader_log_rows.hpp).
           "CREATE TABLE IF NOT EXISTS leader_log (seq " + serial +
               ", cluster TEXT NOT NULL, epoch BIGINT NOT NULL, kind TEXT NOT NULL, at "
               "TEXT NOT NULL)",
       }},
      {7,
       {
           // Documents the nodes share (config_store.hpp), as Druid's
           // druid_config.
           "CREATE TABLE IF NOT EXISTS config (name TEXT PRIMARY KEY, version BIGINT "
           "NOT NULL, payload TEXT NOT NULL)",
       }},
  };
}

}  // namespace

int32_t latest_schema_version() {
  return migrations(dialect::sqlite).back().version;
}

caf::expected<int32_t> migrate(connection& conn) {
  if (auto err = conn.begin_write({"streamvisor.schema"})) return err;
  auto fail = [&](caf::error err) -> caf::expected<int32_t> {
    conn.rollback();
    return err;
  };
  if (auto r = conn.query(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      !r)
    return fail(r.error());
  auto rows = conn.query("SELECT MAX(version) FROM schema_version");
  if (!rows) return fail(rows.error());
  int32_t current = 0;
  if (!rows->empty() && !rows->front().empty() && rows->front()[0])
    current = std::stoi(*rows->front()[0]);
  if (current > latest_schema_version())
    return fail(make_error(errc::store_failed,
                           "metadata schema version " + std::to_string(current) +
                               " is newer than this build knows (" +
                               std::to_string(latest_schema_version()) +
                               "); upgrade streamvisor"));
  for (const auto& m : migrations(conn.kind())) {
    if (m.version <= current) continue;
    for (const auto& stmt : m.statements)
      if (auto r = conn.query(stmt); !r) return fail(r.error());
    if (auto r = conn.query("INSERT INTO schema_version (version) VALUES ($1)",
                            {std::to_string(m.version)});
        !r)
      return fail(r.error());
    current = m.version;
  }
  if (auto err = conn.commit()) return fail(err);
  return current;
}

}  // namespace sv::adapters::sql
