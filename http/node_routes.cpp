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

  // A single node always leads (a cluster elects one: a later change).
  r.add("GET", base + "/isLeader", [](const request&, const captures&) {
    return ok(json::make_object({{"leader", true}}));
  });
  r.add("GET", base + "/leader", [c](const request&, const captures&) {
    return response{200, "http://" + c.node->address(), "text/plain", {}};
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
    json::array running, groups;
    for (const auto& t : live->tasks) {
      if (t.status != "RUNNING") continue;
      running.push_back(json{t.id});
      groups.push_back(json{t.id});
    }
    auto used = static_cast<int64_t>(running.size());
    auto worker = json::make_object({{"scheme", "http"},
                                     {"host", c.node->address()},
                                     {"ip", c.node->host},
                                     {"capacity", int64_t{live->capacity}},
                                     {"version", c.node->version},
                                     {"category", "_default_worker_category"}});
    return ok(json{json::array{json::make_object(
        {{"worker", std::move(worker)},
         {"currCapacityUsed", used},
         {"currParallelIndexCapacityUsed", int64_t{0}},
         {"availabilityGroups", json{std::move(groups)}},
         {"runningTasks", json{std::move(running)}},
         {"lastCompletedTaskTime",
          live->last_completed.empty() ? json{} : json{live->last_completed}},
         {"blacklistedUntil", json{}}})}});
  });
}

}  // namespace sv::http
