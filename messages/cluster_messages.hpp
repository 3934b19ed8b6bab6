#pragma once
// Messages of the cluster: what a node knows of its cluster (leader, epoch,
// live nodes), sent by the cluster actor to whoever follows it.

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "core/cluster/node_info.hpp"

namespace sv::core::cluster {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(caf::meta::type_name("node_info"), x.id, x.role, x.http_address,
           x.cluster_address, x.capacity, x.version, x.started, x.last_seen, x.age_ms);
}
}  // namespace sv::core::cluster

namespace sv::msg {

/// The cluster as this node saw it at its latest heartbeat.
struct cluster_view {
  std::string self_id;
  bool leading = false;     ///< this node holds the leader lock
  int64_t epoch = 0;        ///< the leader's epoch (this node's when leading)
  std::string leader_id;    ///< empty: no leader known
  std::string leader_http;  ///< host:port of the leader's HTTP API
  std::vector<core::cluster::node_info> nodes;  ///< live registrations, by id
  friend bool operator==(const cluster_view&, const cluster_view&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_view& x) {
  return f(caf::meta::type_name("cluster_view"), x.self_id, x.leading, x.epoch,
           x.leader_id, x.leader_http, x.nodes);
}

/// The leader's epoch is known: leader writes of this node's metadata store
/// check it from now on (reply once set).
struct md_fence {
  std::string cluster;
  int64_t epoch = 0;
  friend bool operator==(const md_fence&, const md_fence&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, md_fence& x) {
  return f(caf::meta::type_name("md_fence"), x.cluster, x.epoch);
}

}  // namespace sv::msg
