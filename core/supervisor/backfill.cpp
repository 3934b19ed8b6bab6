// Reset to latest and backfill (DESIGN.md §3.1), the supervisor's part.
//
// The actor pauses every reading group (begin_backfill tells it which), reads
// the stream's latest offsets, persists the jump [P, L) in the offsets row
// together with the backfill supervisor's spec, then seals: each paused group
// publishes [start, P) and moves the row to L in the same transaction; a
// partition no group was reading gets an offsets-only task that makes the
// jump; new groups start at L. Should a sealed group fail, the jump stays in
// the row and the next run seals again from the row (seal_from_row), so every
// offset has exactly one writer: [.., P) the main supervisor's old groups,
// [P, L) the backfill, [L, ..) the new groups.

#include <algorithm>

#include "core/errc.hpp"
#include "core/supervisor/backfill_spec.hpp"
#include "core/supervisor/partition_groups.hpp"
#include "core/supervisor/reconciler.hpp"

namespace sv::core::supervisor {

offset_jump backfill_offsets::jump() const {
  offset_jump j;
  for (const auto& [p, from] : start)
    if (auto to = end.find(p); to != end.end() && from < to->second) {
      j.from[p] = from;
      j.to[p] = to->second;
    }
  return j;
}

caf::expected<backfill_plan> reconciler::begin_backfill(utc_time now) {
  (void)now;
  const auto& id = spec_.id;
  if (bounded())
    return make_error(
        errc::invalid_input,
        "Supervisor[" + id + "] is a bounded supervisor, not a streaming one");
  if (spec_.io.use_earliest_offset)
    return make_error(
        errc::invalid_input,
        "Reset with skipped offsets is not supported when useEarliestOffset is "
        "true.");
  if (!spec_.uses_concurrent_locks())
    return make_error(
        errc::invalid_input,
        "Backfill tasks require 'useConcurrentLocks' to be set to true in the "
        "supervisor context to allow concurrent writes with the main supervisor "
        "tasks");
  if (states_.state() != detailed_state::running || stopping_ || spec_.suspended)
    return make_error(errc::invalid_input,
                      "Supervisor[" + id +
                          "] must be in a RUNNING state to perform a reset and "
                          "backfill");
  if (backfill_)
    return make_error(errc::conflict, "A reset and backfill of supervisor[" + id +
                                          "] is already in progress");
  for (const auto& [gid, g] : reading_)
    if (g.rolling)
      return make_error(errc::unavailable, "task group " + std::to_string(gid) +
                                               " is being checkpointed; try again");
  backfill_plan plan;
  backfill_.emplace();
  for (auto it = reading_.begin(); it != reading_.end();) {
    auto& g = it->second;
    backfill_plan::pause p{g.id, g.generation, {}};
    for (auto t = g.tasks.begin(); t != g.tasks.end();) {
      if (t->second.phase == task_phase::running) {
        p.tasks.push_back(t->first);
        ++t;
      } else {
        plan.acts.push_back(
            kill_task{t->first, "stopped before it started (reset and backfill)"});
        t = g.tasks.erase(t);
      }
    }
    if (p.tasks.empty()) {
      forget_group(g);
      it = reading_.erase(it);
      continue;
    }
    g.rolling = true;
    (*backfill_)[g.id] = held_group{g.generation, g.start, g.checkpoints};
    plan.groups.push_back(std::move(p));
    ++it;
  }
  // Where the data of every other partition ends: the next group's start, else
  // the row. Partitions never read are absent (nothing to backfill there).
  for (const auto& p : partitions_) {
    bool held = false;
    for (const auto& [_, h] : *backfill_) held |= h.start.count(p) > 0;
    if (held) continue;
    if (auto n = next_offsets_.find(p); n != next_offsets_.end())
      plan.unread[p] = n->second;
    else if (committed_)
      if (auto c = committed_->offsets.find(p); c != committed_->offsets.end())
        plan.unread[p] = c->second;
  }
  return plan;
}

backfill_offsets reconciler::backfill_range(const std::map<int32_t, offset_map>& paused,
                                            const offset_map& latest) const {
  backfill_offsets r;
  if (backfill_)
    for (const auto& [gid, h] : *backfill_) {
      auto pos = paused.find(gid);
      for (const auto& [p, start] : h.start) {
        stream_offset at = start;
        if (pos != paused.end())
          if (auto o = pos->second.find(p); o != pos->second.end())
            at = std::max(at, o->second);
        r.start[p] = at;
      }
    }
  for (const auto& p : partitions_) {
    if (r.start.count(p)) continue;
    if (auto n = next_offsets_.find(p); n != next_offsets_.end())
      r.start[p] = n->second;
    else if (committed_)
      if (auto c = committed_->offsets.find(p); c != committed_->offsets.end())
        r.start[p] = c->second;
  }
  for (const auto& p : partitions_) {
    stream_offset l = 0;
    if (auto o = latest.find(p); o != latest.end()) l = o->second;
    if (auto s = r.start.find(p); s != r.start.end())
      l = std::max(l, s->second);
    else
      r.start[p] = l;  // never read: nothing to skip
    r.end[p] = l;
  }
  return r;
}

task_group reconciler::sealed_group(int32_t gid, offset_map start,
                                    std::vector<offset_map> checkpoints, offset_map end,
                                    offset_map commit_as, utc_time now) {
  task_group g;
  g.id = gid;
  g.generation = next_generation_++;
  g.start = std::move(start);
  g.checkpoints = std::move(checkpoints);
  if (g.checkpoints.empty()) g.checkpoints.push_back(g.start);
  g.end = std::move(end);
  g.commit_as = std::move(commit_as);
  g.completion_deadline = now + spec_.io.completion_timeout.to_millis();
  g.base_sequence_name =
      "index_" + spec_.type + "_" + spec_.id + "_sealed" + std::to_string(g.generation);
  return g;
}

actions reconciler::seal_backfill(const std::map<int32_t, offset_map>& paused,
                                  const backfill_offsets& range, utc_time now) {
  actions out;
  if (!backfill_) return out;
  auto restrict = [](const offset_map& m, const offset_map& keys) {
    offset_map r;
    for (const auto& [p, _] : keys)
      if (auto i = m.find(p); i != m.end()) r[p] = i->second;
    return r;
  };
  std::set<partition_id, partition_less> handled;
  for (const auto& [gid, held] : *backfill_) {
    auto* g = find_reading(gid, held.generation);
    if (!g || !paused.count(gid)) {
      // Its tasks went away during the conversation: the next run seals these
      // partitions again from the row (which holds the jump).
      for (const auto& [p, _] : held.start) {
        next_offsets_.erase(p);
        handled.insert(p);
      }

      if (g) {
        for (const auto& id : g->task_ids())
          out.push_back(kill_task{id, "reset and backfill"});
        reading_.erase(gid);
      }
      continue;
    }
    auto end = restrict(range.start, held.start);
    auto commit = restrict(range.end, held.start);
    g->rolling = false;
    g->end = end;
    g->commit_as = commit;
    g->completion_deadline = now + spec_.io.completion_timeout.to_millis();
    std::vector<std::string> tasks;
    for (const auto& [id, t] : g->tasks)
      if (t.phase == task_phase::running) tasks.push_back(id);
    out.push_back(seal_group{gid, std::move(tasks), end, commit});
    for (const auto& [p, l] : commit) {
      next_offsets_[p] = l;
      handled.insert(p);
    }
    publishing_[gid].push_back(std::move(*g));
    reading_.erase(gid);
  }
  backfill_.reset();
  // Partitions no group was reading: an offsets-only task jumps the row from P
  // to L (once any older group publishing them has committed).
  std::vector<partition_id> rest;
  for (const auto& [p, _] : range.end)
    if (!handled.count(p)) rest.push_back(p);
  for (const auto& [gid, members] : partition_groups(rest, task_count())) {
    offset_map from, to;
    for (const auto& p : members) {
      auto l = range.end.at(p);
      auto s = range.start.at(p);
      next_offsets_[p] = l;
      if (s < l) {
        from[p] = s;
        to[p] = l;
      }
    }
    if (from.empty()) continue;
    auto g = sealed_group(gid, from, {}, from, to, now);
    auto t = make_task(g);
    g.tasks[t.id] = task_slot{t.id, task_phase::pending, std::nullopt, {}};
    out.push_back(create_task{std::move(t)});
    publishing_[gid].push_back(std::move(g));
  }
  return out;
}

std::string reconciler::next_backfill_id() {
  return backfill_id(spec_.id, rng_);
}

void reconciler::note_loss(const partition_id& p, stream_offset from, stream_offset to,
                           utc_time now) {
  if (from >= to) return;
  auto widen = [&](auto& ranges) {
    auto [it, fresh] = ranges.try_emplace(p, from, to);
    if (!fresh)
      it->second = {std::min(it->second.first, from), std::max(it->second.second, to)};
  };
  widen(losses_);
  widen(new_losses_);
  states_.record_error(
      now, "DataLossException",
      "Offsets [" + from.to_string() + ", " + to.to_string() +
          ") of partition [" + p +
          "] are no longer in the stream (retention) and cannot be ingested",
      true);
}

std::map<partition_id, std::pair<stream_offset, stream_offset>, partition_less>
reconciler::take_new_losses() {
  auto out = std::move(new_losses_);
  new_losses_.clear();
  return out;
}

void reconciler::abort_backfill() {
  if (!backfill_) return;
  for (const auto& [gid, held] : *backfill_)
    if (auto* g = find_reading(gid, held.generation)) g->rolling = false;
  backfill_.reset();
}

void reconciler::seal_from_row(actions& out, utc_time now) {
  if (!committed_ || committed_->jump.empty() || bounded()) return;
  std::map<int32_t, std::pair<offset_map, offset_map>> starts;  // gid -> (start, from)
  std::map<int32_t, offset_map> targets;
  for (const auto& [p, from] : committed_->jump.from) {
    if (next_offsets_.count(p)) continue;
    bool reading = false;
    for (const auto& [_, g] : reading_) reading |= g.start.count(p) > 0;
    if (reading) continue;
    // Where the data of p will end once the groups publishing it have: the
    // newest one's end, else the row.
    std::optional<stream_offset> published_end;
    for (const auto& [_, list] : publishing_)
      for (const auto& g : list)
        if (g.end && g.end->count(p)) published_end = g.end->at(p);
    stream_offset start;
    if (published_end) {
      start = *published_end;
      if (start == from) {  // that publish lands the jump itself
        next_offsets_[p] = committed_->jump.to.at(p);
        continue;
      }
    } else if (auto c = committed_->offsets.find(p); c != committed_->offsets.end()) {
      start = c->second;
    } else {
      // Nothing was ever committed here: read from the earliest offset up to
      // the jump, so nothing before it is lost (more than the original
      // groups read, never twice).
      auto e = earliest_.find(p);
      if (e == earliest_.end()) continue;
      start = std::min(e->second, from);
    }
    if (start > from) continue;  // the row is past it: the jump is stale
    auto gid = group_of(p, task_count());
    starts[gid].first[p] = start;
    starts[gid].second[p] = from;
    targets[gid][p] = committed_->jump.to.at(p);
  }
  for (auto& [gid, se] : starts) {
    auto g = sealed_group(gid, se.first, {}, se.second, targets[gid], now);
    auto t = make_task(g);
    g.tasks[t.id] = task_slot{t.id, task_phase::pending, std::nullopt, {}};
    out.push_back(create_task{std::move(t)});
    for (const auto& [p, to] : targets[gid]) next_offsets_[p] = to;
    publishing_[gid].push_back(std::move(g));
  }
}

}  // namespace sv::core::supervisor
