#pragma once
// Node registrations of a cluster (DESIGN.md §8): every node keeps one row of
// the `nodes` table fresh — role, HTTP and middleman addresses, task slots,
// version — and reads the others' rows to find workers. Freshness is judged
// by the server's clock, so the nodes' clocks may disagree.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "adapters/sql/leader_lock.hpp"
#include "core/cluster/node_info.hpp"

namespace sv::adapters::sql {

using node_record = core::cluster::node_info;

class node_registry {
 public:
  virtual ~node_registry() = default;
  /// Writes this node's row with a fresh heartbeat (created on first call).
  virtual caf::error heartbeat(const node_record& self) = 0;
  /// Rows of the cluster whose heartbeat is at most `max_age` old, by id.
  virtual caf::expected<std::vector<node_record>> live_nodes(
      std::chrono::milliseconds max_age) = 0;
  /// The leader recorded for the cluster (leader_lock.hpp), nullopt before
  /// the first.
  virtual caf::expected<std::optional<leader_record>> leader() = 0;
  /// Removes this node's row (an orderly stop).
  virtual caf::error leave(const std::string& node_id) = 0;
};

/// A registry for `cluster` on its own PostgreSQL connection (libpq conninfo;
/// the store's migrations create the table).
caf::expected<std::unique_ptr<node_registry>> open_node_registry(
    const std::string& conninfo, const std::string& cluster);

}  // namespace sv::adapters::sql
