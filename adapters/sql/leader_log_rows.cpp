#include "adapters/sql/leader_log_rows.hpp"

#include <charconv>

#include "core/time.hpp"

namespace sv::adapters::sql {

namespace {
int64_t integer(const value& v) {
  int64_t n = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), n);
  return n;
}
}  // namespace

caf::error insert_leader_log(connection& conn, const std::string& cluster, int64_t epoch,
                             const std::string& kind) {
  auto r = conn.query(
      "INSERT INTO leader_log (cluster, epoch, kind, at) VALUES ($1, $2, $3, $4)",
      {cluster, std::to_string(epoch), kind, core::format_utc_time(core::utc_now())});
  if (!r) return r.error();
  return {};
}

caf::expected<std::vector<core::verify::leader_log_row>> select_leader_log(
    connection& conn, const std::string& cluster) {
  auto rows = conn.query(
      "SELECT seq, epoch, kind, at FROM leader_log WHERE cluster = $1 ORDER BY seq",
      {cluster});
  if (!rows) return rows.error();
  std::vector<core::verify::leader_log_row> out;
  out.reserve(rows->size());
  for (const auto& r : *rows)
    out.push_back(
        {integer(r.at(0)), integer(r.at(1)), r.at(2).value_or(""), r.at(3).value_or("")});
  return out;
}

}  // namespace sv::adapters::sql
