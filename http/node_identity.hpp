#pragma once
// Who a node is, for the node-level endpoints: GET /status, /status/properties,
// /druid/indexer/v1/leader and /workers, task locations and task logs.

#include <atomic>
#include <cstdint>
#include <string>

#include "core/json.hpp"

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

  std::string address() const { return host + ":" + std::to_string(port.load()); }
};

}  // namespace sv::http
