#pragma once
// The parts of a node that only a cluster's nodes (roles overlord and worker)
// have: CAF's middleman with heartbeats, the published task runner of a
// worker, and the cluster actor (registration and election).

#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>

#include "actors/cluster_actor.hpp"
#include "actors/manager_actor.hpp"
#include "actors/task_runner_actor.hpp"
#include "app/options.hpp"
#include "http/node_identity.hpp"

namespace sv::app {

/// Loads the middleman with heartbeats from `opts` and an app identifier
/// naming the cluster and version, so a node of another cluster or version is
/// refused at the handshake. With TLS options, CAF's openssl module runs the
/// same protocol over TLS with mutual certificates from one CA.
void configure_middleman(caf::actor_system_config& cfg, const serve_options& opts);

/// With TLS configured: checks the node's certificate, key and CA (a clear
/// error when they cannot be used). Without: nothing to check.
caf::error check_tls(const serve_options& opts);

/// The middleman actor that connects to peers: TLS-aware when configured.
caf::io::middleman_actor peer_connector(caf::actor_system& sys,
                                        const serve_options& opts);

/// Publishes `runner` on the middleman (over TLS when configured) at
/// opts.cluster_host:cluster_port; the bound port.
caf::expected<uint16_t> publish_runner(caf::actor_system& sys,
                                       actors::task_runner_actor runner,
                                       const serve_options& opts);

/// Starts the cluster actor: registers this node (http_port and cluster_port
/// bound), competes for leadership on an overlord, and forwards every view to
/// the HTTP API (`identity->cluster`) and `followers`.
caf::expected<actors::cluster_actor> start_cluster(
    caf::actor_system& sys, const serve_options& opts,
    std::shared_ptr<http::node_identity> identity, uint16_t cluster_port,
    actors::metadata_actor metadata, std::vector<caf::actor> followers);

}  // namespace sv::app
