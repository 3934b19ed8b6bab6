#include "http/task_routes.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/errc.hpp"
#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;

response ok(json body, int status = 200) {
  return response{status, body.dump()};
}

// One task as Druid's TaskStatusPlus, from its row and (while it lives) the
// runner's view.
json status_plus(const core::task_record& row, const msg::runner_task* live,
                 bool waiting_for_lock = false) {
  std::string status = live ? "RUNNING" : row.status;
  std::string runner = live ? (waiting_for_lock ? "WAITING" : live->status) : "NONE";
  json error;
  if (const json* p = row.report.find("ingestionStatsAndErrors"))
    if (const json* payload = p->find("payload"))
      if (const json* e = payload->find("errorMsg")) error = *e;
  bool placed = live ? live->status == "RUNNING" : !row.location.empty();
  return json::make_object({
      {"id", row.id},
      {"groupId",
       row.supervisor_id.empty() ? row.id : "index_kafka_" + row.supervisor_id},
      {"type", row.type},
      {"createdTime", row.created_date},
      {"queueInsertionTime", row.created_date},
      {"statusCode", status},
      {"status", status},
      {"runnerStatusCode", runner},
      {"duration", int64_t{-1}},
      {"location", json::make_object({{"host", placed ? json{"localhost"} : json{}},
                                      {"port", int64_t{-1}},
                                      {"tlsPort", int64_t{-1}}})},
      {"dataSource", row.data_source},
      {"errorMsg", error},
  });
}

// A runner entry whose row was not written yet (or could not be).
core::task_record row_of(const msg::runner_task& t) {
  core::task_record r;
  r.id = t.id;
  r.supervisor_id = t.supervisor_id;
  r.data_source = t.data_source;
  r.type = t.type;
  r.group_id = t.group_id;
  r.status = "RUNNING";
  r.created_date = t.created_date;
  return r;
}

caf::expected<std::optional<core::task_record>> find_task(const route_context& ctx,
                                                          const std::string& id) {
  auto rows =
      ask<msg::task_list>(ctx.sys, ctx.metadata, ctx.timeout, msg::md_get_task{id});
  if (!rows) return rows.error();
  if (rows->tasks.empty()) return std::optional<core::task_record>{};
  return std::optional<core::task_record>{std::move(rows->tasks.front())};
}

const msg::runner_task* live_of(const msg::runner_task_list& l, const std::string& id) {
  for (const auto& t : l.tasks)
    if (t.id == id) return &t;
  return nullptr;
}

// Ids of the tasks waiting for a lock (Druid's runner state WAITING).
caf::expected<std::set<std::string>> waiting_for_locks(const route_context& ctx) {
  std::set<std::string> ids;
  if (!ctx.lockbox) return ids;
  auto locks = ask<json>(ctx.sys, ctx.lockbox, ctx.timeout, msg::get_locks{});
  if (!locks) return locks.error();
  if (const json* w = locks->find("waiting"))
    for (const auto& x : w->as_array()) ids.insert(x.find("taskId")->as_string());
  return ids;
}

}  // namespace

void add_task_routes(router& r, const route_context& ctx) {
  const std::string base = "/druid/indexer/v1";
  auto c = ctx;

  r.add("GET", base + "/tasks", [c](const request& req, const captures&) {
    std::string state = req.has_param("state") ? req.param("state") : "";
    std::transform(state.begin(), state.end(), state.begin(), ::tolower);
    if (!state.empty() && state != "pending" && state != "running" &&
        state != "waiting" && state != "complete")
      return error_response(
          400, "Invalid state : " + state +
                   ", valid values are: [pending, waiting, running, complete]");
    int32_t max = 0;
    if (req.has_param("max")) {
      try {
        max = std::stoi(req.param("max"));
      } catch (const std::exception&) {
        return error_response(400, "max must be a number");
      }
    }
    std::string ds = req.has_param("datasource") ? req.param("datasource") : "";
    auto live =
        ask<msg::runner_task_list>(c.sys, c.runner, c.timeout, msg::list_runner_tasks{});
    if (!live) return error_response(live.error());
    auto waiting = waiting_for_locks(c);
    if (!waiting) return error_response(waiting.error());
    core::task_filter f;
    f.data_source = ds;
    auto rows = ask<msg::task_list>(c.sys, c.metadata, c.timeout, msg::md_list_tasks{f});
    if (!rows) return error_response(rows.error());
    std::map<std::string, core::task_record> by_id;
    for (auto& row : rows->tasks) by_id.emplace(row.id, std::move(row));
    for (const auto& t : live->tasks)
      if ((ds.empty() || t.data_source == ds) && !by_id.count(t.id))
        by_id.emplace(t.id, row_of(t));
    // Newest first, as Druid lists them.
    std::vector<const core::task_record*> order;
    for (const auto& [_, row] : by_id) order.push_back(&row);
    std::stable_sort(order.begin(), order.end(),
                     [](auto* a, auto* b) { return a->created_date > b->created_date; });
    json::array out;
    for (const auto* row : order) {
      const auto* l = live_of(*live, row->id);
      bool complete = !l && row->status != "RUNNING";
      bool is_waiting = l && waiting->count(row->id);
      if (!l && row->status == "RUNNING") continue;  // not on this node any more
      if (state == "complete" && !complete) continue;
      if (state == "running" && !(l && l->status == "RUNNING" && !is_waiting)) continue;
      if (state == "pending" && !(l && l->status == "PENDING")) continue;
      if (state == "waiting" && !is_waiting) continue;
      out.push_back(status_plus(*row, l, is_waiting));
      if (max > 0 && static_cast<int32_t>(out.size()) >= max) break;
    }
    return ok(json{std::move(out)});
  });

  r.add("GET", base + "/task/{}/status", [c](const request&, const captures& cap) {
    auto live =
        ask<msg::runner_task_list>(c.sys, c.runner, c.timeout, msg::list_runner_tasks{});
    if (!live) return error_response(live.error());
    const auto* l = live_of(*live, cap[0]);
    auto row = find_task(c, cap[0]);
    if (!row) return error_response(row.error());
    if (!*row && !l)
      return ok(json::make_object({{"task", cap[0]}, {"status", json{}}}), 404);
    auto waiting = waiting_for_locks(c);
    if (!waiting) return error_response(waiting.error());
    auto status = status_plus(*row ? **row : row_of(*l), l, l && waiting->count(cap[0]));

    return ok(json::make_object({{"task", cap[0]}, {"status", std::move(status)}}));
  });

  // Every time-chunk lock held and every request waiting, with what blocks it.
  r.add("GET", base + "/locks", [c](const request&, const captures&) {
    if (!c.lockbox)
      return ok(json::make_object(
          {{"locks", json{json::array{}}}, {"waiting", json{json::array{}}}}));
    auto locks = ask<json>(c.sys, c.lockbox, c.timeout, msg::get_locks{});
    if (!locks) return error_response(locks.error());
    return ok(std::move(*locks));
  });

  r.add("GET", base + "/task/{}", [c](const request&, const captures& cap) {
    auto row = find_task(c, cap[0]);
    if (!row) return error_response(row.error());
    if (!*row)
      return error_response(404, "Cannot find any task with id: [" + cap[0] + "]");
    return ok(json::make_object({{"task", cap[0]}, {"payload", (*row)->payload}}));
  });

  r.add("GET", base + "/task/{}/reports", [c](const request&, const captures& cap) {
    auto live = ask<json>(c.sys, c.runner, c.timeout, msg::get_live_report{cap[0]});
    if (live) return ok(std::move(*live));
    auto row = find_task(c, cap[0]);
    if (!row) return error_response(row.error());
    if (!*row || (*row)->report.is_null())
      return error_response(404,
                            "No task reports were found for this task. The task may not "
                            "exist, or it may not have begun running yet.");
    return ok((*row)->report);
  });

  r.add("POST", base + "/task/{}/shutdown", [c](const request&, const captures& cap) {
    auto live =
        ask<msg::runner_task_list>(c.sys, c.runner, c.timeout, msg::list_runner_tasks{});
    if (!live) return error_response(live.error());
    if (!live_of(*live, cap[0]))
      return error_response(404, "Cannot find any active task with id: [" + cap[0] + "]");
    auto a = ask<msg::ack>(c.sys, c.runner, c.timeout,
                           msg::kill_task{cap[0], "Shutdown request from user"});
    if (!a) return error_response(a.error());
    return ok(json::make_object({{"task", cap[0]}}));
  });
}

}  // namespace sv::http
