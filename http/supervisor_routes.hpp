#pragma once
// Route registration for the supervisor API.

#include <chrono>

#include <caf/fwd.hpp>

#include "actors/manager_actor.hpp"
#include "actors/task_runner_actor.hpp"
#include "http/node_identity.hpp"
#include "http/router.hpp"

namespace sv::http {

/// What route handlers need: the actor system (for scoped actors), the
/// manager, and how long to wait for it.
struct route_context {
  caf::actor_system& sys;
  actors::manager_actor manager;
  actors::metadata_actor metadata;
  actors::task_runner_actor runner;
  std::chrono::milliseconds timeout;
  actors::lockbox_actor lockbox;  ///< may be null
  std::shared_ptr<const node_identity> node;
};

void add_supervisor_routes(router& r, const route_context& ctx);

}  // namespace sv::http
