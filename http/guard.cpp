#include "http/guard.hpp"

#include "http/access.hpp"
#include "http/ask.hpp"
#include "http/router.hpp"

namespace sv::http {

namespace {

using core::json;
namespace auth = core::auth;

bool starts(const std::vector<std::string>& seg,
            std::initializer_list<const char*> prefix) {
  if (seg.size() < prefix.size()) return false;
  size_t i = 0;
  for (const char* p : prefix)
    if (seg[i++] != p) return false;
  return true;
}

std::optional<response> need(const request& req, const char* type,
                             const std::string& name, auth::action a) {
  if (may(req, {name, type}, a)) return std::nullopt;
  return forbidden();
}

// The datasource of supervisor `id`: its spec, or once terminated the latest
// version in its history that names one; empty when unknown.
std::string supervisor_data_source(const route_context& c, const std::string& id) {
  if (auto spec = ask<json>(c.sys, c.manager, c.timeout, msg::get_supervisor_spec{id}))
    return data_source_of(*spec);
  if (auto h =
          ask<msg::spec_history>(c.sys, c.manager, c.timeout, msg::get_history{id, 0}))
    for (const auto& v : h->versions)
      if (auto ds = data_source_of(v.payload); !ds.empty()) return ds;
  return {};
}

std::string task_data_source(const route_context& c, const std::string& id) {
  if (auto rows = ask<msg::task_list>(c.sys, c.metadata, c.timeout, msg::md_get_task{id});
      rows && !rows->tasks.empty())
    return rows->tasks.front().data_source;
  if (c.runner)
    if (auto live = ask<msg::runner_task_list>(c.sys, c.runner, c.timeout,
                                               msg::list_runner_tasks{}))
      for (const auto& t : live->tasks)
        if (t.id == id) return t.data_source;
  return {};
}

}  // namespace

std::optional<response> check_access(const request& req, const route_context& ctx) {
  if (!req.who) return std::nullopt;
  auto seg = split_path(req.path);
  auto act = req.method == "GET" || req.method == "HEAD" ? auth::action::read
                                                         : auth::action::write;
  if (starts(seg, {"status"})) return need(req, auth::state, "STATE", auth::action::read);
  if (starts(seg, {"metrics"}))
    return need(req, auth::state, "STATE", auth::action::read);
  if (starts(seg, {"streamvisor", "v1", "kafka"}))
    return need(req, auth::state, "STATE", act);
  if (starts(seg, {"druid-ext", "basic-security"}))
    return need(req, auth::config, "security", act);
  if (starts(seg, {"druid", "coordinator", "v1", "metadata", "datasources"}) &&
      seg.size() > 5)
    return need(req, auth::datasource, seg[5], auth::action::read);
  if (!starts(seg, {"druid", "indexer", "v1"}) || seg.size() < 4) return std::nullopt;
  const auto& what = seg[3];
  if (what == "isLeader") return std::nullopt;
  if (what == "leader" || what == "workers" || what == "totalWorkerCapacity" ||
      what == "locks" || what == "worker")
    return need(req, auth::state, "STATE", act);
  if (what == "supervisor" && seg.size() > 4) {
    const auto& id = seg[4];
    if (seg.size() == 5 && (id == "history" || id == "suspendAll" || id == "resumeAll" ||
                            id == "terminateAll"))
      return std::nullopt;  // filtered by the route
    auto ds = supervisor_data_source(ctx, id);
    if (ds.empty()) return std::nullopt;  // unknown: the route answers 404
    return need(req, auth::datasource, ds, act);
  }
  if (what == "task" && seg.size() > 4) {
    auto ds = task_data_source(ctx, seg[4]);
    if (ds.empty()) return std::nullopt;
    return need(req, auth::datasource, ds, act);
  }
  return std::nullopt;
}

}  // namespace sv::http
