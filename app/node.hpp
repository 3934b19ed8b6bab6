#pragma once
// A streamvisor node: the actor system with the metadata actor, the manager
// and the HTTP gateway, assembled from serve_options. Used by `streamvisor
// serve` and by integration tests (which start nodes on port 0).

#include <memory>

#include <caf/expected.hpp>

#include "app/options.hpp"

namespace sv::app {

class node {
 public:
  virtual ~node() = default;
  /// The bound HTTP port.
  virtual uint16_t port() const = 0;
  /// Bootstrap servers of the node's default Kafka (embedded or --kafka).
  virtual std::string kafka_bootstrap() const = 0;
  /// Stops HTTP; lets every supervisor's reading groups publish what they
  /// read (within graceful_shutdown_timeout_ms, when not 0); stops the actors
  /// and waits for them. False when actors were still running at the end of
  /// the grace period (the process should exit at once). Idempotent.
  virtual bool stop() = 0;
};

/// Opens the metadata store (retrying for metadata_connect_timeout_s), starts
/// the actors and the HTTP server.
caf::expected<std::unique_ptr<node>> start_node(const serve_options& opts);

}  // namespace sv::app
