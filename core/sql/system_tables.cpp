#include "core/sql/system_tables.hpp"

#include <algorithm>
#include <cctype>

#include "core/time.hpp"

namespace sv::core::sql {

namespace {

constexpr auto S = column_type::string;
constexpr auto L = column_type::long_;

cell text(std::string s) {
  return cell{std::move(s)};
}
cell text_or_null(const std::string& s) {
  return s.empty() ? cell{} : cell{s};
}
cell number(int64_t v) {
  return cell{v};
}

// "host:port" -> host, port (port -1 when absent).
std::pair<std::string, int64_t> split_location(const std::string& location) {
  auto colon = location.rfind(':');
  if (colon == std::string::npos) return {location, -1};
  try {
    return {location.substr(0, colon), std::stoll(location.substr(colon + 1))};
  } catch (const std::exception&) {
    return {location, -1};
  }
}

std::string error_of(const task_record& t) {
  if (const json* status = t.report.find("ingestionStatsAndErrors"))
    if (const json* p = status->find("payload"))
      if (const json* e = p->find("errorMsg"); e && e->is_string()) return e->as_string();
  return {};
}

std::string names_of(const json& payload, const char* key) {
  const json* v = payload.find(key);
  if (!v) return "[]";
  return v->dump();
}

}  // namespace

std::string_view native_name(column_type t) {
  switch (t) {
    case column_type::long_:
      return "LONG";
    case column_type::double_:
      return "DOUBLE";
    default:
      return "STRING";
  }
}

std::string_view sql_name(column_type t) {
  switch (t) {
    case column_type::long_:
      return "BIGINT";
    case column_type::double_:
      return "DOUBLE";
    default:
      return "VARCHAR";
  }
}

table supervisors_table(const std::vector<supervisor_row>& rows) {
  table t{"supervisors",
          {{"supervisor_id", S},
           {"datasource", S},
           {"state", S},
           {"detailed_state", S},
           {"healthy", L},
           {"type", S},
           {"source", S},
           {"suspended", L},
           {"spec", S}},
          {}};
  for (const auto& r : rows) {
    const auto& s = r.summary;
    t.rows.push_back(
        {text(s.id), text(s.data_source), text(std::string{to_string(basic_of(s.state))}),
         text(std::string{to_string(s.state)}), number(is_healthy(s.state) ? 1 : 0),
         text(s.type), text(s.source), number(s.suspended ? 1 : 0), text(r.spec.dump())});
  }
  return t;
}

table tasks_table(const std::vector<task_row>& rows) {
  table t{"tasks",
          {{"task_id", S},
           {"group_id", S},
           {"type", S},
           {"datasource", S},
           {"created_time", S},
           {"queue_insertion_time", S},
           {"status", S},
           {"runner_status", S},
           {"duration", L},
           {"location", S},
           {"host", S},
           {"plaintext_port", L},
           {"tls_port", L},
           {"error_msg", S}},
          {}};
  for (const auto& r : rows) {
    const auto& x = r.record;
    auto [host, port] = split_location(x.location);
    bool running = !r.runner_status.empty();
    // Druid: status RUNNING while it runs, else SUCCESS or FAILED; runner
    // status RUNNING, PENDING, WAITING, or NONE once complete.
    auto status = running ? std::string{"RUNNING"} : x.status;
    t.rows.push_back({text(x.id), text(x.type + "_" + x.supervisor_id), text(x.type),
                      text(x.data_source), text(x.created_date), text(x.created_date),
                      text(status), text(running ? r.runner_status : "NONE"),
                      number(running ? -1 : x.duration_ms), text_or_null(x.location),
                      text_or_null(host), port < 0 ? cell{} : number(port), number(-1),
                      text_or_null(error_of(x))});
  }
  return t;
}

table segments_table(const std::vector<segment_record>& rows) {
  table t{"segments",
          {{"segment_id", S},
           {"datasource", S},
           {"start", S},
           {"end", S},
           {"size", L},
           {"version", S},
           {"partition_num", L},
           {"num_replicas", L},
           {"num_rows", L},
           {"is_active", L},
           {"is_published", L},
           {"is_available", L},
           {"is_realtime", L},
           {"is_overshadowed", L},
           {"shard_spec", S},
           {"dimensions", S},
           {"metrics", S},
           {"last_compaction_state", S},
           {"replication_factor", L}},
          {}};
  for (const auto& s : rows) {
    auto shard = json::make_object({{"type", "numbered"},
                                    {"partitionNum", int64_t{s.partition_num}},
                                    {"partitions", 0}});
    // Published segments in deep storage; there are no historicals here, so
    // none is "available" for queries and none has replicas.
    t.rows.push_back({text(s.id), text(s.data_source), text(format_utc_time(s.start)),
                      text(format_utc_time(s.end)), number(s.size_bytes), text(s.version),
                      number(s.partition_num), number(0), number(s.num_rows),
                      number(s.used ? 1 : 0), number(1), number(0), number(0),
                      number(s.used ? 0 : 1), text(shard.dump()),
                      text(names_of(s.payload, "dimensions")),
                      text(names_of(s.payload, "metrics")), cell{}, number(0)});
  }
  return t;
}

wanted_tables tables_named(const std::string& query) {
  std::string q = query;
  std::transform(q.begin(), q.end(), q.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto has_word = [&](const std::string& w) {
    for (auto at = q.find(w); at != std::string::npos; at = q.find(w, at + 1)) {
      bool before = at == 0 || !(std::isalnum(static_cast<unsigned char>(q[at - 1])) ||
                                 q[at - 1] == '_');
      auto after_at = at + w.size();
      bool after =
          after_at >= q.size() ||
          !(std::isalnum(static_cast<unsigned char>(q[after_at])) || q[after_at] == '_');
      if (before && after) return true;
    }
    return false;
  };
  return {has_word("supervisors"), has_word("tasks"), has_word("segments")};
}

}  // namespace sv::core::sql
