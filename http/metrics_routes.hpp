#pragma once
// GET /metrics: every supervisor's figures in Prometheus text format
// (core::prometheus_text), from the manager's list and each status.

#include "http/supervisor_routes.hpp"

namespace sv::http {

void add_metrics_routes(router& r, const route_context& ctx);

}  // namespace sv::http
