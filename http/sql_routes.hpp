#pragma once
// POST /druid/v2/sql — Druid's SQL API over the system tables sys.supervisors,
// sys.tasks and sys.segments (core/sql, adapters/system_query), read-only,
// with rows filtered by what the caller may READ, as the supervisor API does.
//
// Druid's web console probes POST /druid/v2/sql?capabilities to learn whether
// it talks to a Broker; that probe gets 404 so the console keeps its Overlord
// mode (a Broker would also answer native queries and sys.servers).

#include "http/router.hpp"
#include "http/supervisor_routes.hpp"

namespace sv::http {

void add_sql_routes(router& r, const route_context& ctx);

}  // namespace sv::http
