#pragma once
// Who a node is, for the node-level endpoints: GET /status, /status/properties,
// /druid/indexer/v1/leader and /workers, task locations and task logs.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/json.hpp"
#include "http/cluster_status.hpp"

namespace sv::http {

/// Who this node is, for the node-level endpoints (GET /status,
/// /druid/indexer/v1/leader, /workers, task locations and logs).
struct node_identity {
  std::string version;  ///< streamvisor's version
  std::string host;     ///< advertised host (the listen address, or the host name)
  std::atomic<uint16_t> port{0};  ///< the HTTP port, set once bound
  int32_t capacity = 0;           ///< task slots
  std::string task_log_dir;       ///< where tasks write their logs
  core::json properties;          ///< GET /status/properties (secrets masked)
  /// The node's cluster; null on a single node (which always leads).
  std::shared_ptr<cluster_status> cluster;

  std::string address() const { return host + ":" + std::to_string(port.load()); }
};

}  // namespace sv::http
