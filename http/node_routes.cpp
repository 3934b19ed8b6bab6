#include "http/node_routes.hpp"

#include <sys/sysinfo.h>
#include <unistd.h>

#include <fstream>

#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;

response ok(json body) {
  return response{200, body.dump()};
}

// Druid reports the JVM's heap; a native process has its resident memory
// (used, total) against the machine's (max).
json memory() {
  int64_t page = ::sysconf(_SC_PAGESIZE);
  int64_t size = 0, resident = 0;
  std::ifstream statm{"/proc/self/statm"};
  statm >> size >> resident;
  int64_t used = resident * page;
  struct sysinfo si {};
  int64_t max =
      ::sysinfo(&si) == 0 ? static_cast<int64_t>(si.totalram) * si.mem_unit : used;
  return json::make_object({{"maxMemory", max},
                            {"totalMemory", used},
                            {"freeMemory", std::max<int64_t>(0, max - used)},
                            {"usedMemory", used},
                            {"directMemory", int64_t{0}}});
}

// The stream types this build ingests, named as Druid's extensions.
json modules(const std::string& version) {
  return json{json::array{
      json::make_object({{"name", "org.apache.druid.indexing.kafka.KafkaIndexTaskModule"},
                         {"artifact", "druid-kafka-indexing-service"},
                         {"version", version}})}};
}

}  // namespace

void add_node_routes(router& r, const route_context& ctx) {
  auto c = ctx;
  const std::string base = "/druid/indexer/v1";

  r.add("GET", "/status", [c](const request&, const captures&) {
    return ok(json::make_object({{"version", c.node->version},
                                 {"modules", modules(c.node->version)},
                                 {"memory", memory()}}));
  });
  r.add("GET", "/status/health", [](const request&, const captures&) {
    return response{200, "true"};
  });
  r.add("GET", "/status/properties", [c](const request&, const captures&) {
    return ok(c.node->properties.is_object() ? c.node->properties : json{json::object{}});
  });

  // A single node always leads; a cluster's node says what its election says.
  r.add("GET", base + "/isLeader", [c](const request&, const captures&) {
    bool leading = !c.node->cluster || c.node->cluster->view().leading;
    return response{leading ? 200 : 404, json::make_object({{"leader", leading}}).dump()};
  });
  r.add("GET", base + "/leader", [c](const request&, const captures&) {
    if (!c.node->cluster)
      return response{200, "http://" + c.node->address(), "text/plain", {}};
    auto v = c.node->cluster->view();
    if (v.leader_http.empty())
      return error_response(503, "no leader of this cluster is known at the moment");
    return response{200, "http://" + v.leader_http, "text/plain", {}};
  });

  if (!c.runner) return;  // a node without tasks has no worker
  r.add("GET", base + "/totalWorkerCapacity", [c](const request&, const captures&) {
    auto live =
        ask<msg::runner_task_list>(c.sys, c.runner, c.timeout, msg::list_runner_tasks{});
    if (!live) return error_response(live.error());
    int64_t used = 0;
    for (const auto& t : live->tasks) used += t.status == "RUNNING";
    return ok(
        json::make_object({{"currentClusterCapacity", int64_t{live->capacity}},
                           {"usedClusterCapacity", used},
                           {"maximumCapacityWithAutoScale", int64_t{live->capacity}}}));
  });

  r.add("GET", base + "/workers", [c](const request&, const captures&) {
    auto live =
        ask<msg::runner_task_list>(c.sys, c.runner, c.timeout, msg::list_runner_tasks{});
    if (!live) return error_response(live.error());
    // A single node is its own worker; a cluster's are its registered workers.
    std::vector<core::cluster::node_info> workers;
    if (c.node->cluster) {
      for (auto& n : c.node->cluster->view().nodes)
        if (n.role == "worker" && n.capacity > 0) workers.push_back(std::move(n));
    } else {
      workers.push_back({"", "all", c.node->address(), "", live->capacity,
                         c.node->version, "", live->last_completed, 0});
    }
    json::array out;
    for (const auto& w : workers) {
      json::array running;
      for (const auto& t : live->tasks)
        if (t.status == "RUNNING" && (!c.node->cluster || t.location == w.http_address))
          running.push_back(json{t.id});
      auto used = static_cast<int64_t>(running.size());
      auto host = w.http_address.substr(0, w.http_address.rfind(':'));
      auto worker = json::make_object({{"scheme", "http"},
                                       {"host", w.http_address},
                                       {"ip", host},
                                       {"capacity", int64_t{w.capacity}},
                                       {"version", w.version},
                                       {"category", "_default_worker_category"}});
      auto last = c.node->cluster ? std::string{} : live->last_completed;
      out.push_back(json::make_object(
          {{"worker", std::move(worker)},
           {"currCapacityUsed", used},
           {"currParallelIndexCapacityUsed", int64_t{0}},
           {"availabilityGroups", json{running}},
           {"runningTasks", json{std::move(running)}},
           {"lastCompletedTaskTime", last.empty() ? json{} : json{last}},
           {"blacklistedUntil", json{}}}));
    }
    return ok(json{std::move(out)});
  });
}

}  // namespace sv::http
