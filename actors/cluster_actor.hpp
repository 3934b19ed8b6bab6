#pragma once
// cluster_actor — this node's membership of a cluster (DESIGN.md §8).
//
// Role: every heartbeat interval it writes this node's registration (nodes
//   table), and on an overlord takes or keeps the leader lock; then reads the
//   live nodes and the recorded leader and hands the resulting cluster_view to
//   `on_view` (the node forwards it to the manager, the task placement and
//   the HTTP API).
// Lifecycle: spawned detached (registry and lock calls block) by a node of
//   role overlord or worker; ticks until it is told to leave (leave_atom:
//   its registration is removed and the lock released) or the node stops.
// Leadership: a won lock bumps the epoch; the metadata actor is fenced at that
//   epoch (md_fence) before the view says `leading`, so no leader write of
//   this node can go out unchecked. A failed lock check means leadership is
//   lost: the view says so at once (the manager stops its supervisors; tasks
//   on workers keep running) and the lock's connection is opened anew before
//   the node competes again.
// Messages in: tick (self-sent), get_atom (the latest view), leave_atom.
// Messages out: md_fence to the metadata actor; views through `on_view`.
// Failure behaviour: an unreachable PostgreSQL is logged once per outage and
//   retried every interval; while it is unreachable this node does not lead.

#include <chrono>
#include <functional>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/metadata_actor.hpp"
#include "adapters/sql/leader_lock.hpp"
#include "adapters/sql/node_registry.hpp"
#include "messages/cluster_messages.hpp"

namespace sv::actors {

using leave_atom = caf::atom_constant<caf::atom("leave")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;

using cluster_actor =
    caf::typed_actor<caf::reacts_to<heartbeat_atom>,
                     caf::replies_to<caf::get_atom>::with<msg::cluster_view>,
                     caf::replies_to<leave_atom>::with<msg::ack>>;

struct cluster_config {
  std::string cluster;
  core::cluster::node_info self;
  bool elects = false;  ///< an overlord competes for leadership
  std::chrono::milliseconds interval{1000};
  /// Registrations older than this are not live (a dead or cut-off node).
  std::chrono::milliseconds timeout{5000};
  std::function<caf::expected<std::unique_ptr<adapters::sql::node_registry>>()>
      open_registry;
  std::function<caf::expected<std::unique_ptr<adapters::sql::leader_lock>>()> open_lock;
  metadata_actor metadata;  ///< fenced when this node wins
  /// Called in the actor's context with every view (also unchanged ones).
  std::function<void(const msg::cluster_view&)> on_view;
};

/// Spawns the actor; `placement::scheduled` only for deterministic tests (its
/// registry and lock calls block).
cluster_actor spawn_cluster_actor(caf::actor_system& sys, cluster_config cfg,
                                  placement where = placement::detached);

}  // namespace sv::actors
