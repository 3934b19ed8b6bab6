#pragma once
// Druid's coordinator metadata endpoints for published segments:
//   GET /druid/coordinator/v1/metadata/datasources                  names
//   GET /druid/coordinator/v1/metadata/datasources/{ds}/segments     ids
//   GET /druid/coordinator/v1/metadata/datasources/{ds}/segments?full
//       DataSegment objects (interval, version, loadSpec, dimensions,
//       metrics, shardSpec, size, identifier) plus numRows

#include "actors/metadata_actor.hpp"
#include "http/supervisor_routes.hpp"

namespace sv::http {

void add_coordinator_routes(router& r, const route_context& ctx);

}  // namespace sv::http
