#include "adapters/sql/lock_rows.hpp"

#include "adapters/errc.hpp"

namespace sv::adapters::sql {

namespace {

std::string millis_text(core::utc_time t) {
  return std::to_string(t.time_since_epoch().count());
}

}  // namespace

caf::error insert_lock(connection& conn, const core::locks::lock_request& r) {
  auto rows = conn.query(
      "INSERT INTO task_locks (task_id, datasource, lock_group, type, start_ms, end_ms) "
      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
      {r.task_id, r.datasource, r.group, std::string{core::locks::to_string(r.type)},
       millis_text(r.interval.start), millis_text(r.interval.end)});
  return rows ? caf::error{} : rows.error();
}

caf::error delete_locks(connection& conn, const std::string& task_id) {
  auto rows = conn.query("DELETE FROM task_locks WHERE task_id = $1", {task_id});
  return rows ? caf::error{} : rows.error();
}

caf::expected<std::vector<core::locks::lock_request>> select_locks(connection& conn) {
  auto rows = conn.query(
      "SELECT task_id, datasource, lock_group, type, start_ms, end_ms FROM task_locks "
      "ORDER BY seq");
  if (!rows) return rows.error();
  std::vector<core::locks::lock_request> out;
  for (const auto& r : *rows) {
    if (r.size() < 6 || !r[0] || !r[1] || !r[2] || !r[3] || !r[4] || !r[5])
      return make_error(errc::corrupt_record, "task_locks: a NULL column");
    auto type = core::locks::parse_lock_type(*r[3]);
    if (!type)
      return make_error(errc::corrupt_record,
                        "task_locks: unknown lock type '" + *r[3] + "' of task " + *r[0]);
    core::locks::lock_request q;
    q.task_id = *r[0];
    q.datasource = *r[1];
    q.group = *r[2];
    q.type = *type;
    try {
      q.interval.start = core::utc_time{core::millis{std::stoll(*r[4])}};
      q.interval.end = core::utc_time{core::millis{std::stoll(*r[5])}};
    } catch (const std::exception&) {
      return make_error(errc::corrupt_record,
                        "task_locks: a bad interval of task " + *r[0]);
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace sv::adapters::sql
