#pragma once
// The HTTP API: Druid's paths and shapes, served by asking the manager.

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/lockbox_actor.hpp"
#include "actors/manager_actor.hpp"

#include "actors/task_runner_actor.hpp"
#include "adapters/kafka/mock_cluster.hpp"
#include "http/node_identity.hpp"
#include "http/security.hpp"
#include "http/server.hpp"

namespace sv::http {

struct api_options {
  /// How long a request waits for the manager before answering 504.
  std::chrono::milliseconds request_timeout{30000};
  /// The node's embedded Kafka, whose control API is then served under
  /// /streamvisor/v1/kafka; null when the node uses an external Kafka.
  std::shared_ptr<adapters::mock_cluster> embedded_kafka;
  /// The node's task runner (task endpoints); null on a node without tasks.
  actors::task_runner_actor runner;
  /// The node's lockbox (GET /druid/indexer/v1/locks, tasks waiting for
  /// locks); null when the node has none.
  actors::lockbox_actor lockbox;
  /// This node (never null once the node is assembled).
  std::shared_ptr<node_identity> node = std::make_shared<node_identity>();
  /// Where the console's files are (console/README.md); empty: no console.
  std::string console_dir;
  /// Authentication, authorization and per-client limits; null: none.
  std::shared_ptr<http::security> security;
};

/// The request handler for the whole API.
handler make_api(caf::actor_system& sys, actors::manager_actor manager,
                 actors::metadata_actor metadata, api_options opts = {});

}  // namespace sv::http
