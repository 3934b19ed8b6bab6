#pragma once
// Node-level endpoints, as a Druid Overlord answers them (and as Druid's web
// console probes them): GET /status, /status/health, /status/properties,
// /druid/indexer/v1/isLeader, /leader, /totalWorkerCapacity, /workers.

#include "http/supervisor_routes.hpp"

namespace sv::http {

void add_node_routes(router& r, const route_context& ctx);

}  // namespace sv::http
