#pragma once
// A cluster's non-leader overlords and workers answer the leader's API by
// redirecting to the leader (307, as Druid's overlords do); the leader and
// every single node serve it themselves.

#include <optional>

#include "http/cluster_status.hpp"
#include "http/server.hpp"

namespace sv::http {

/// 307 to the leader for a request this node must not serve itself (the
/// indexer API other than /leader and /isLeader), 503 while no leader is
/// known; nullopt when this node serves it.
std::optional<response> leader_redirect(const request& req, const cluster_status& c);

}  // namespace sv::http
