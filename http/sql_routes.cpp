#include "http/sql_routes.hpp"

#include <map>

#include "adapters/crypto/password.hpp"
#include "adapters/errc.hpp"
#include "adapters/system_query.hpp"
#include "core/errc.hpp"
#include "core/spec/secrets.hpp"
#include "core/sql/sql_request.hpp"
#include "http/access.hpp"
#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;
namespace sql = core::sql;

response sql_failure(int status, const std::string& code, const std::string& category,
                     const std::string& message) {
  return response{status, sql::sql_error(code, category, message).dump()};
}

caf::expected<sql::table> supervisors(const route_context& c, const request& req) {
  auto list =
      ask<msg::supervisor_list>(c.sys, c.manager, c.timeout, msg::list_supervisors{});
  if (!list) return list.error();
  std::vector<sql::supervisor_row> rows;
  for (const auto& l : list->items)
    if (may_read(req, l.summary.data_source))
      rows.push_back({l.summary, core::mask_secrets(l.spec)});
  return sql::supervisors_table(rows);
}

caf::expected<sql::table> tasks(const route_context& c, const request& req) {
  auto stored = ask<msg::task_list>(c.sys, c.metadata, c.timeout, msg::md_list_tasks{});
  if (!stored) return stored.error();
  std::map<std::string, sql::task_row> by_id;
  for (auto& t : stored->tasks) by_id[t.id].record = std::move(t);
  if (c.runner) {
    auto live =
        ask<msg::runner_task_list>(c.sys, c.runner, c.timeout, msg::list_runner_tasks{});
    if (!live) return live.error();
    for (const auto& t : live->tasks) {
      auto& row = by_id[t.id];
      if (row.record.id.empty()) {
        row.record.id = t.id;
        row.record.supervisor_id = t.supervisor_id;
        row.record.data_source = t.data_source;
        row.record.type = t.type;
        row.record.created_date = t.created_date;
        row.record.location = t.location;
      }
      row.runner_status = t.status;
    }
  }
  std::vector<sql::task_row> rows;
  for (auto& [_, r] : by_id) {
    // A row that says RUNNING but no runner here has it: not running any more.
    if (r.runner_status.empty() && r.record.status == "RUNNING") continue;
    if (may_read(req, r.record.data_source)) rows.push_back(std::move(r));
  }
  return sql::tasks_table(rows);
}

caf::expected<sql::table> segments(const route_context& c, const request& req) {
  auto names =
      ask<msg::data_source_list>(c.sys, c.metadata, c.timeout, msg::md_data_sources{});
  if (!names) return names.error();
  std::vector<core::segment_record> rows;
  for (const auto& ds : names->names) {
    if (!may_read(req, ds)) continue;
    auto segs =
        ask<msg::segment_list>(c.sys, c.metadata, c.timeout, msg::md_segments{ds, true});
    if (!segs) return segs.error();
    for (auto& s : segs->segments) rows.push_back(std::move(s));
  }
  return sql::segments_table(rows);
}

}  // namespace

void add_sql_routes(router& r, const route_context& ctx) {
  r.add("POST", "/druid/v2/sql", [ctx](const request& req, const captures&) -> response {
    if (req.has_param("capabilities")) return error_response(404, "no Broker here");
    auto body = json::parse(req.body);
    if (!body)
      return sql_failure(400, "invalidInput", "INVALID_INPUT",
                         "the body is not JSON: " + core::error_message(body.error()));
    auto parsed = sql::parse_sql_request(*body);
    if (!parsed)
      return sql_failure(400, "invalidInput", "INVALID_INPUT",
                         core::error_message(parsed.error()));
    auto wanted = sql::tables_named(parsed->query);
    std::vector<sql::table> tables;
    for (auto [want, build] :
         {std::pair{wanted.supervisors, &supervisors}, std::pair{wanted.tasks, &tasks},
          std::pair{wanted.segments, &segments}}) {
      if (!want) continue;
      auto t = build(ctx, req);
      if (!t)
        return sql_failure(503, "unavailable", "RUNTIME_FAILURE",
                           core::error_message(t.error()));
      tables.push_back(std::move(*t));
    }
    // Tables the query does not name are still there, empty, so that a
    // query naming one in a way the scan missed fails on its columns, not
    // on a missing table.
    if (!wanted.supervisors) tables.push_back(sql::supervisors_table({}));
    if (!wanted.tasks) tables.push_back(sql::tasks_table({}));
    if (!wanted.segments) tables.push_back(sql::segments_table({}));
    auto result = adapters::run_system_query(tables, parsed->query, parsed->parameters);
    if (!result) {
      const auto& e = result.error();
      if (e.code() == static_cast<uint8_t>(adapters::errc::query_limit))
        return sql_failure(400, "resourceLimitExceeded", "CAPACITY_EXCEEDED",
                           core::error_message(e));
      return sql_failure(400, "invalidInput", "INVALID_INPUT", core::error_message(e));
    }
    auto out = sql::format_result(*parsed, *result);
    response res{200, std::move(out.body), std::move(out.content_type), {}};
    res.headers.push_back({"X-Druid-SQL-Query-Id", adapters::random_token(12)});
    if (parsed->header) res.headers.push_back({"X-Druid-SQL-Header-Included", "yes"});
    return res;
  });
}

}  // namespace sv::http
