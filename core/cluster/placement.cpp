#include "core/cluster/placement.hpp"

#include <algorithm>

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

std::chrono::milliseconds reconnect_delay(int failures,
                                          std::chrono::milliseconds interval,
                                          std::chrono::milliseconds limit) {
  if (failures <= 0) return std::chrono::milliseconds{0};
  auto d = interval;
  for (int i = 1; i < failures && d < limit; ++i) d *= 2;
  return std::min(d, limit);
}

}  // namespace sv::core::cluster
