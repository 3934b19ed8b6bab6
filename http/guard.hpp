#pragma once
// What each path needs (Druid's resource filters, reference §3), checked for
// an authenticated caller before the route runs:
// * /status/health: nothing; /druid/indexer/v1/isLeader: being signed in;
// * node state (/status, /status/properties, /metrics, leader, workers,
//   totalWorkerCapacity, locks, GET of the embedded Kafka): STATE READ;
//   changes to the embedded Kafka: STATE WRITE;
// * the basic-security management API: CONFIG "security", READ for GET and
//   WRITE otherwise;
// * /supervisor/{id}/...: READ (GET) or WRITE (POST) on the supervisor's
//   datasource (found from its spec, or its history once terminated);
// * /task/{id}/...: READ or WRITE on the task's datasource;
// * /druid/coordinator/v1/metadata/datasources/{ds}/...: READ on ds.
// Lists (supervisors, history, tasks, datasources) and the *All actions are
// filtered by the routes themselves; creating a spec checks WRITE there.

#include <optional>

#include "http/server.hpp"
#include "http/supervisor_routes.hpp"

namespace sv::http {

/// 403 when the caller may not; nothing when it may, or when the request
/// has no caller (authentication off) or names something unknown (the
/// route answers 404).
std::optional<response> check_access(const request& req, const route_context& ctx);

}  // namespace sv::http
