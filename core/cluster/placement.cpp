#include "core/cluster/placement.hpp"

#include <algorithm>

namespace sv::core::cluster {

namespace {

bool can_take(const worker_slots& w, const pending_task& t) {
  return w.accepting && w.used < w.capacity && !w.groups.count(t.availability_group);
}

int32_t of_supervisor(const worker_slots& w, const pending_task& t) {
  if (t.supervisor.empty()) return 0;
  auto it = w.per_supervisor.find(t.supervisor);
  return it == w.per_supervisor.end() ? 0 : it->second;
}

// Fewer tasks of the task's supervisor, then more free slots, then the
// smaller id.
bool better(const worker_slots& w, const worker_slots& best, const pending_task& t) {
  auto mine = of_supervisor(w, t), theirs = of_supervisor(best, t);
  if (mine != theirs) return mine < theirs;
  auto free = w.capacity - w.used, best_free = best.capacity - best.used;
  if (free != best_free) return free > best_free;
  return w.id < best.id;
}

}  // namespace

placement place(std::vector<worker_slots>& workers,
                const std::vector<pending_task>& tasks) {
  placement out;
  for (const auto& t : tasks) {
    worker_slots* best = nullptr;
    for (auto& w : workers) {
      if (!can_take(w, t)) continue;
      if (!best || better(w, *best, t)) best = &w;
    }
    if (!best) {
      out.pending.push_back(t.id);
      continue;
    }
    ++best->used;
    best->groups.insert(t.availability_group);
    if (!t.supervisor.empty()) ++best->per_supervisor[t.supervisor];
    out.assigned.emplace_back(t.id, best->id);
  }
  return out;
}

std::chrono::milliseconds reconnect_delay(int failures,
                                          std::chrono::milliseconds interval,
                                          std::chrono::milliseconds limit) {
  if (failures <= 0) return std::chrono::milliseconds{0};
  auto d = interval;
  for (int i = 1; i < failures && d < limit; ++i) d *= 2;
  return std::min(d, limit);
}

}  // namespace sv::core::cluster
