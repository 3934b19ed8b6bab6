#pragma once
// A node of a cluster as its registration row describes it (DESIGN.md §8).

#include <cstdint>
#include <string>

namespace sv::core::cluster {

struct node_info {
  std::string id;
  std::string role;             ///< overlord, worker or all
  std::string http_address;     ///< host:port of the HTTP API
  std::string cluster_address;  ///< host:port of the middleman
  int32_t capacity = 0;         ///< task slots (0: runs no tasks)
  std::string version;
  std::string started;    ///< ISO 8601 UTC
  std::string last_seen;  ///< ISO 8601 UTC of the newest heartbeat (server clock)
  int64_t age_ms = 0;     ///< since the newest heartbeat, by the server's clock
  friend bool operator==(const node_info&, const node_info&) = default;
};

}  // namespace sv::core::cluster
