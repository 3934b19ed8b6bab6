#include "core/cluster/placement.hpp"

namespace sv::core::cluster {

namespace {

bool can_take(const worker_slots& w, const pending_task& t) {
  return w.accepting && w.used < w.capacity && !w.groups.count(t.availability_group);
}

}  // namespace

placement place(std::vector<worker_slots>& workers,
                const std::vector<pending_task>& tasks) {
  placement out;
  for (const auto& t : tasks) {
    worker_slots* best = nullptr;
    for (auto& w : workers) {
      if (!can_take(w, t)) continue;
      auto free = w.capacity - w.used;
      if (!best || free > best->capacity - best->used ||
          (free == best->capacity - best->used && w.id < best->id))
        best = &w;
    }
    if (!best) {
      out.pending.push_back(t.id);
      continue;
    }
    ++best->used;
    best->groups.insert(t.availability_group);
    out.assigned.emplace_back(t.id, best->id);
  }
  return out;
}

}  // namespace sv::core::cluster
