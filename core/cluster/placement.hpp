#pragma once
// Task placement on a cluster's workers, as Druid's overlord does it with its
// default worker select strategy (equalDistribution): each task goes to the
// worker with the most free slots; a task whose availability group (the
// replicas of one task group) already runs on a worker never goes there too.
// One refinement: a supervisor's tasks spread first — a task goes to a worker
// running the fewest tasks of its supervisor, then to the one with the most
// free slots — so a supervisor's (or a backfill's) task groups read on as many
// workers as there are, even while another supervisor's ending tasks still hold
// slots.
// A task no worker can take stays pending, in order, until slots free up.

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sv::core::cluster {

/// A worker's slots as the leader sees them.
struct worker_slots {
  std::string id;
  int32_t capacity = 0;
  int32_t used = 0;
  /// Availability groups of the tasks it runs.
  std::set<std::string> groups;
  /// False while the worker is disabled or going away: it takes no new task.
  bool accepting = true;
  /// How many tasks of each supervisor it runs.
  std::map<std::string, int32_t> per_supervisor;
};

/// A task waiting for a slot.
struct pending_task {
  std::string id;
  /// Replicas of one task group share it (Druid's availabilityGroup).
  std::string availability_group;
  /// Its supervisor: tasks of one supervisor spread over the workers (empty:
  /// free slots alone decide).
  std::string supervisor;
};

struct placement {
  /// Task id -> worker id, in the order the tasks were given.
  std::vector<std::pair<std::string, std::string>> assigned;
  /// Tasks no worker could take, in the order given.
  std::vector<std::string> pending;
};

/// Places `tasks` in order on `workers` (whose used slots and groups are
/// updated as tasks land). Ties go to the worker with the smaller id, so the
/// same inputs always give the same placement.
placement place(std::vector<worker_slots>& workers,
                const std::vector<pending_task>& tasks);

/// How long the leader waits before connecting again to a registered worker
/// that refused or could not be reached `failures` times in a row: one
/// heartbeat `interval` after the first failure, doubling up to `limit`.
/// A refused peer (wrong certificate, cluster or version) is not asked at
/// every heartbeat forever.
std::chrono::milliseconds reconnect_delay(int failures,
                                          std::chrono::milliseconds interval,
                                          std::chrono::milliseconds limit);

}  // namespace sv::core::cluster
