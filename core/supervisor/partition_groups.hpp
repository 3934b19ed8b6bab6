#pragma once
// Which task group reads a partition (Druid: partition % taskCount for one
// Kafka topic; a stable hash of "topic:partition" for topic patterns and other
// streams), and the partitions of each group, capped by the partition count.

#include <map>
#include <string>
#include <vector>

#include "core/offsets.hpp"

namespace sv::core::supervisor {

/// Group of partition `p` among `task_count` groups.
int32_t group_of(const partition_id& p, int32_t task_count);

/// group id -> its partitions (in partition order); only groups with partitions.
std::map<int32_t, std::vector<partition_id>> partition_groups(
    const std::vector<partition_id>& ps, int32_t task_count);

}  // namespace sv::core::supervisor
