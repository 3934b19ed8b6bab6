#include "http/task_routes.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "adapters/task_log.hpp"
#include "core/errc.hpp"
#include "core/spec/secrets.hpp"
#include "core/time.hpp"
#include "http/access.hpp"
#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;

response ok(json body, int status = 200) {
  return response{status, body.dump()};
}

// Druid's {"host", "port", "tlsPort"} from a row's "host:port" ("local" from
// before a node knew its port: host only).
json location_of(const std::string& where) {
  if (where.empty())
    return json::make_object(
        {{"host", json{}}, {"port", int64_t{-1}}, {"tlsPort", int64_t{-1}}});
  auto colon = where.rfind(':');
  int64_t port = -1;
  std::string host = where == "local" ? "localhost" : where;
  if (colon != std::string::npos) {
    host = where.substr(0, colon);
    try {
      port = std::stoll(where.substr(colon + 1));
    } catch (const std::exception&) {
      port = -1;
    }
  }
  return json::make_object({{"host", host}, {"port", port}, {"tlsPort", int64_t{-1}}});
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
      // Druid's group of a supervisor's tasks: index_{type}_{supervisorId}.
      {"groupId", row.supervisor_id.empty()
                      ? row.id
                      : (row.type.empty() ? std::string{"index_kafka"} : row.type) + "_" +
                            row.supervisor_id},
      {"type", row.type},
      {"createdTime", row.created_date},
      {"queueInsertionTime", row.created_date},
      {"statusCode", status},
      {"status", status},
      {"runnerStatusCode", runner},
      {"duration", live ? int64_t{-1} : row.duration_ms},
      {"location", location_of(placed ? row.location : std::string{})},
      {"dataSource", row.data_source},
      {"errorMsg", error},
  });
}

// A runner entry whose row was not written yet (or could not be).
core::task_record row_of(const msg::runner_task& t, const std::string& location) {
  core::task_record r;
  r.location = location;
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

// An integer query parameter; 0 when absent.
caf::expected<int64_t> int_param(const request& req, const std::string& name) {
  if (!req.has_param(name)) return int64_t{0};
  const auto text = req.param(name);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size())
    return core::make_error(core::errc::invalid_input, name + " must be a number");
  return v;
}

// Druid's createdTimeInterval: "start_end" (or "start/end") date-times.
caf::expected<std::pair<std::string, std::string>> created_interval(
    const std::string& text) {
  auto sep = text.find('_');
  if (sep == std::string::npos) sep = text.find('/');
  if (sep == std::string::npos)
    return core::make_error(
        core::errc::invalid_input,
        "createdTimeInterval must be start_end (ISO 8601), got '" + text + "'");
  auto start = core::parse_utc_time(text.substr(0, sep));
  auto end = core::parse_utc_time(text.substr(sep + 1));
  if (!start || !end)
    return core::make_error(
        core::errc::invalid_input,
        "createdTimeInterval must be start_end (ISO 8601), got '" + text + "'");
  return std::pair{core::format_utc_time(*start), core::format_utc_time(*end)};
}

// GET /tasks and the per-state lists: rows and the runner's live view, newest
// first, filtered by state, datasource, type and createdTimeInterval.
response list_tasks(const route_context& c, const request& req,
                    const std::string& state) {
  if (!state.empty() && state != "pending" && state != "running" && state != "waiting" &&
      state != "complete")
    return error_response(
        400, "Invalid state : " + state +
                 ", valid values are: [pending, waiting, running, complete]");
  auto max = int_param(req, "max");
  if (!max) return error_response(400, core::error_message(max.error()));
  core::task_filter f;
  f.data_source = req.param("datasource");
  f.type = req.param("type");
  if (req.has_param("createdTimeInterval")) {
    auto interval = created_interval(req.param("createdTimeInterval"));
    if (!interval) return error_response(400, core::error_message(interval.error()));
    std::tie(f.created_from, f.created_to) = *interval;
  }
  auto live =
      ask<msg::runner_task_list>(c.sys, c.runner, c.timeout, msg::list_runner_tasks{});
  if (!live) return error_response(live.error());
  auto waiting = waiting_for_locks(c);
  if (!waiting) return error_response(waiting.error());
  auto rows = ask<msg::task_list>(c.sys, c.metadata, c.timeout, msg::md_list_tasks{f});
  if (!rows) return error_response(rows.error());
  std::map<std::string, core::task_record> by_id;
  for (auto& row : rows->tasks) by_id.emplace(row.id, std::move(row));
  for (const auto& t : live->tasks) {
    bool wanted = (f.data_source.empty() || t.data_source == f.data_source) &&
                  (f.type.empty() || t.type == f.type) &&
                  (f.created_from.empty() ||
                   (t.created_date >= f.created_from && t.created_date < f.created_to));
    if (wanted && !by_id.count(t.id)) by_id.emplace(t.id, row_of(t, live->location));
  }
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
    if (!may_read(req, row->data_source)) continue;
    out.push_back(status_plus(*row, l, is_waiting));
    if (*max > 0 && static_cast<int64_t>(out.size()) >= *max) break;
  }
  return ok(json{std::move(out)});
}

}  // namespace

void add_task_routes(router& r, const route_context& ctx) {
  const std::string base = "/druid/indexer/v1";
  auto c = ctx;

  r.add("GET", base + "/tasks", [c](const request& req, const captures&) {
    std::string state = req.has_param("state") ? req.param("state") : "";
    std::transform(state.begin(), state.end(), state.begin(), ::tolower);
    return list_tasks(c, req, state);
  });
  // Druid's older per-state lists: the same objects as /tasks?state=...
  for (auto [path, state] :
       {std::pair{"/completeTasks", "complete"}, std::pair{"/runningTasks", "running"},
        std::pair{"/waitingTasks", "waiting"}, std::pair{"/pendingTasks", "pending"}})
    r.add("GET", base + path,
          [c, state = std::string{state}](const request& req, const captures&) {
            return list_tasks(c, req, state);
          });

  r.add("GET", base + "/task/{}/log", [c](const request& req, const captures& cap) {
    auto offset = int_param(req, "offset");
    if (!offset) return error_response(400, core::error_message(offset.error()));
    auto text = adapters::read_task_log(c.node->task_log_dir, cap[0], *offset);
    if (!text)
      return error_response(
          404,
          "No log was found for this task. The task may not exist, or it "
          "may not have begun running yet.");
    return response{200, std::move(*text), "text/plain", {}};
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
    auto status = status_plus(*row ? **row : row_of(*l, live->location), l,
                              l && waiting->count(cap[0]));

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
    return ok(json::make_object(
        {{"task", cap[0]}, {"payload", core::mask_secrets((*row)->payload)}}));
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
