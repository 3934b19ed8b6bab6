// Failover: a new leader's supervisor takes over the running tasks of the
// former leader's (Druid's discoverTasks) instead of starting them again.

#include <algorithm>

#include "core/supervisor/partition_groups.hpp"
#include "core/supervisor/reconciler.hpp"

namespace sv::core::supervisor {

namespace {

// The spec as far as a task's work depends on it: suspension and the task
// count (an autoscaler changes it) do not change what a task reads or writes.
json work_of(supervisor_spec s, const supervisor_spec& like) {
  s.suspended = like.suspended;
  s.io.task_count = like.io.task_count;
  return to_json(s);
}

offset_map restrict(const offset_map& m, const offset_map& keys) {
  offset_map out;
  for (const auto& [p, _] : keys)
    if (auto i = m.find(p); i != m.end()) out[p] = i->second;
  return out;
}

}  // namespace

adoption reconciler::adopt(const std::vector<discovered_task>& found, utc_time now) {
  adoption out;
  const auto spec_work = work_of(spec_, spec_);
  auto refuse = [&](const discovered_task& t, const std::string& why) {
    out.acts.push_back(kill_task{t.spec.id, "not adopted: " + why});
  };
  // The first task of each group (by base sequence name) sets what its
  // replicas must agree with.
  std::map<std::pair<int32_t, std::string>, const discovered_task*> leaders;
  for (const auto& t : found) {
    if (t.spec.supervisor_id != spec_.id) continue;
    if (knows_task(t.spec.id)) continue;
    if (work_of(t.spec.spec, spec_) != spec_work) {
      refuse(t, "its spec differs from the supervisor's");
      continue;
    }
    bool owned = !t.spec.start.empty();
    for (const auto& [p, _] : t.spec.start)
      owned &= group_of(p, task_count()) == t.spec.group_id;
    if (!owned) {
      refuse(t, "its partitions belong to other groups now");
      continue;
    }
    // The row must be where one of its sequences starts, or at its end
    // (published, about to exit); absent, nothing was committed yet.
    if (committed_ && !committed_->offsets.empty()) {
      auto row = restrict(committed_->offsets, t.spec.start);
      bool at = row.empty();
      for (const auto& s : t.sequence_starts) at |= restrict(s, t.spec.start) == row;
      at |= row == restrict(t.spec.start, t.spec.start);
      if (t.end) at |= restrict(*t.end, t.spec.start) == row;
      if (!at) {
        refuse(t, "the committed offsets are not at any of its checkpoints");
        continue;
      }
    }
    auto key = std::make_pair(t.spec.group_id, t.spec.base_sequence_name);
    bool publishing = t.end.has_value() && !t.end->empty();
    // A reset and backfill whose jump the former leader committed but whose
    // reading groups it did not seal (it went in between): those groups must
    // not read past the jump. They stop, and the run seals their partitions
    // again from the row (seal_from_row), as after a restart.
    if (!publishing && committed_ && !bounded()) {
      bool jumped = false;
      for (const auto& [p, _] : t.spec.start)
        jumped |= committed_->jump.from.count(p) > 0;
      if (jumped) {
        refuse(t,
               "a reset and backfill committed a jump over its partitions that its "
               "leader did not seal; the row's jump is sealed again");
        continue;
      }
    }
    bool taken = false;
    if (!publishing) {
      auto r = reading_.find(t.spec.group_id);
      if (r != reading_.end() &&
          r->second.base_sequence_name != t.spec.base_sequence_name) {
        refuse(t, "another generation of its group reads");
        continue;
      }
      taken = r != reading_.end();
    }
    if (auto l = leaders.find(key);
        l != leaders.end() && l->second->spec.start != t.spec.start) {
      refuse(t, "its replicas disagree on the start offsets");
      continue;
    }
    leaders.emplace(key, &t);
    task_slot slot{t.spec.id, task_phase::running, t.start_time.value_or(now), {}};
    if (publishing) {
      auto& list = publishing_[t.spec.group_id];
      auto g = std::find_if(list.begin(), list.end(), [&](const task_group& x) {
        return x.base_sequence_name == t.spec.base_sequence_name;
      });
      if (g == list.end()) {
        task_group ng;
        ng.id = t.spec.group_id;
        ng.generation = next_generation_++;
        ng.start = t.spec.start;
        ng.end = t.end;
        ng.commit_as = t.spec.commit_as;
        ng.base_sequence_name = t.spec.base_sequence_name;
        ng.checkpoints = t.sequence_starts;
        ng.min_message_time = t.spec.min_message_time;
        ng.max_message_time = t.spec.max_message_time;
        ng.completion_deadline = now + spec_.io.completion_timeout.to_millis();
        list.push_back(std::move(ng));
        g = list.end() - 1;
      }
      g->tasks[t.spec.id] = std::move(slot);
      for (const auto& [p, o] : *t.end) {
        // A group sealed at a pending jump's start commits as its end, so
        // the next group starts there (the backfill reads what is between).
        auto next = o;
        if (committed_)
          if (auto f = committed_->jump.from.find(p);
              f != committed_->jump.from.end() && f->second == o)
            next = committed_->jump.to.at(p);
        if (!next_offsets_.count(p) || next_offsets_[p] < next) next_offsets_[p] = next;
      }
      out.publishing.push_back(t.spec.id);
      continue;
    }
    if (!taken) {
      task_group ng;
      ng.id = t.spec.group_id;
      ng.generation = next_generation_++;
      ng.start = t.spec.start;
      ng.base_sequence_name = t.spec.base_sequence_name;
      ng.checkpoints = t.sequence_starts.empty() ? std::vector<offset_map>{t.spec.start}
                                                 : t.sequence_starts;
      ng.min_message_time = t.spec.min_message_time;
      ng.max_message_time = t.spec.max_message_time;
      reading_[t.spec.group_id] = std::move(ng);
    }
    auto& g = reading_[t.spec.group_id];
    slot.current = g.start;
    g.tasks[t.spec.id] = std::move(slot);
    out.reading.push_back(t.spec.id);
  }
  return out;
}

}  // namespace sv::core::supervisor
