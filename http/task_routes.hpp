#pragma once
// /druid/indexer/v1/tasks and /druid/indexer/v1/task/{id}/... — Druid's task
// API: list (state, datasource, max), status, payload, reports (live while
// running), shutdown.

#include "http/supervisor_routes.hpp"

namespace sv::http {

void add_task_routes(router& r, const route_context& ctx);

}  // namespace sv::http
