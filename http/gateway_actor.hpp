#pragma once
// http_gateway — the HTTP front door of a node.
//
// Role: owns the HTTP server (http/server.hpp: event-driven, with limits);
//   its handler threads turn requests into typed requests to the manager
//   (one scoped actor per call, see http/ask.hpp).
// Lifecycle: spawned by the node after the manager, detached; the server is
//   bound before the actor exists, so a busy port fails the start-up. When the
//   actor quits it stops the server and joins its threads.
// Messages in: get_port. Messages out: manager API requests (from HTTP threads).
// Failure behaviour: a request the manager cannot answer in time gets 504;
//   errors become {"error": ...} with the status from http/error_status.

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/manager_actor.hpp"
#include "http/api.hpp"

namespace sv::http {

using get_port_atom = caf::atom_constant<caf::atom("getport")>;

using gateway_actor = caf::typed_actor<caf::replies_to<get_port_atom>::with<uint16_t>>;

struct gateway_config {
  std::string host = "127.0.0.1";
  uint16_t port = 8090;  ///< 0 = any free port
  server_limits limits;  ///< connections, sizes, timeouts, handler threads
  api_options api;
};

/// Binds the server, then spawns the gateway that owns it.
caf::expected<gateway_actor> spawn_gateway(caf::actor_system& sys,
                                           actors::manager_actor manager,
                                           actors::metadata_actor metadata,
                                           const gateway_config& cfg);

}  // namespace sv::http
