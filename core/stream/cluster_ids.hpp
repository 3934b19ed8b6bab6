#pragma once
// A supervisor's partition ids on a cluster-wide probe client (Kafka: one
// client per cluster lists every topic, its ids are "topic:partition"). A
// spec with `topic` uses bare partition numbers ("0"), one with
// `topicPattern` uses "topic:partition" for the topics its pattern matches.

#include <string>
#include <vector>

#include "core/offsets.hpp"
#include "core/spec/supervisor_spec.hpp"

namespace sv::core::stream {

struct cluster_view {
  std::vector<partition_id> partitions;  ///< the spec's ids, in the cluster's order
  bool found = false;                    ///< some topic of the spec exists
};

/// The spec's partitions among the cluster's ("topic:partition") ids. With a
/// topic: found when that topic has partitions. With a pattern: every
/// matching topic (full match, internal "__" topics never), found when any.
cluster_view spec_partitions(const supervisor_spec& spec,
                             const std::vector<partition_id>& cluster);

/// The cluster's id of one of the spec's partitions, and back.
partition_id to_cluster_id(const supervisor_spec& spec, const partition_id& id);
partition_id from_cluster_id(const supervisor_spec& spec, const partition_id& id);

/// A map keyed by the spec's ids, keyed by the cluster's, and back.
offset_map to_cluster_ids(const supervisor_spec& spec, const offset_map& m);
offset_map from_cluster_ids(const supervisor_spec& spec, const offset_map& m);

}  // namespace sv::core::stream
