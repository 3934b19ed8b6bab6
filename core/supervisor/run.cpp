// The supervisor run: Druid's steps, as pure decisions.

#include <algorithm>
#include <set>

#include "core/errc.hpp"
#include "core/stream/stream_traits.hpp"
#include "core/supervisor/partition_groups.hpp"
#include "core/supervisor/reconciler.hpp"

namespace sv::core::supervisor {

namespace {

uint64_t fnv(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string hex15(uint64_t h) {
  static const char* digits = "0123456789abcdef";
  std::string out(15, '0');
  for (int i = 14; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = digits[h & 15];
  return out;
}

}  // namespace

actions reconciler::run(utc_time now) {
  actions out;
  if (bounded() && check_completed(now)) return out;
  states_.maybe_set(detailed_state::connecting_to_stream);
  if (!bounded() && !partitions_known_) {
    states_.run_finished(spec_.suspended);
    return out;
  }
  update_partitions(now);
  states_.maybe_set(detailed_state::discovering_initial_tasks);
  if (spec_.suspended && !reading_.empty() && !early_stop_)
    early_stop_ = now;  // graceful
  check_duration(out, now);
  check_publishing(out, now);
  check_reading(out, now);
  check_idle(now);
  if (!stopping_ && !spec_.suspended && committed_known_ && !backfill_ &&
      states_.state() != detailed_state::idle) {
    states_.maybe_set(detailed_state::creating_tasks);
    create_groups(out, now);
  }
  states_.run_finished(spec_.suspended);
  if (bounded()) check_completed(now);
  return out;
}

bool reconciler::check_completed(utc_time now) {
  (void)now;
  if (!reading_.empty() || !publishing_.empty()) return false;
  for (const auto& [p, end] : bounded_->end) {
    auto start = bounded_->start.at(p);
    if (start == end) continue;  // an empty range is done
    if (start > end) return false;
    if (!committed_ || committed_->bounded != bounded_) return false;
    auto c = committed_->offsets.find(p);
    if (c == committed_->offsets.end() || c->second < end) return false;
  }
  states_.maybe_set(detailed_state::completed);
  return true;
}

void reconciler::update_partitions(utc_time now) {
  if (bounded()) return;
  // A partition no group's start knows about: groups roll over within
  // repartitionTransitionDuration so they are recomputed.
  if (reading_.empty() || early_stop_) return;
  std::set<partition_id, partition_less> known;
  for (const auto& [_, g] : reading_)
    for (const auto& [p, __] : g.start) known.insert(p);
  bool unknown = false;
  for (const auto& p : partitions_) unknown |= !known.count(p);

  if (unknown && !reading_.empty() && !early_stop_)
    early_stop_ = now + spec_.tuning.repartition_transition_duration.to_millis();
}

void reconciler::check_duration(actions& out, utc_time now) {
  int32_t max_stops = task_count();
  if (spec_.io.stop_task_count) {
    max_stops = *spec_.io.stop_task_count;
  } else if (spec_.io.autoscaling() && spec_.io.autoscaler->stop_task_count_ratio) {
    max_stops = std::max(
        1,
        static_cast<int32_t>(task_count() * *spec_.io.autoscaler->stop_task_count_ratio));
  }
  int32_t publishing = 0;
  for (const auto& [_, list] : publishing_)
    publishing += static_cast<int32_t>(list.size());
  bool early = early_stop_ && now >= *early_stop_;
  std::vector<task_group*> order;
  for (auto& [_, g] : reading_) order.push_back(&g);
  std::sort(order.begin(), order.end(), [](const task_group* a, const task_group* b) {
    auto sa = a->started(), sb = b->started();
    if (sa && sb) return *sa < *sb;
    return sa.has_value();
  });
  int32_t stopped = 0;
  std::vector<int32_t> drop;
  for (auto* g : order) {
    if (g->rolling) continue;
    auto started = g->started();
    bool due_time = started && now - *started >= spec_.io.task_duration.to_millis();
    bool forced = early || g->handoff_early;
    if (!due_time && !forced) continue;
    if (!forced && publishing + stopped >= max_stops) continue;
    std::vector<std::string> running;
    for (const auto& [id, t] : g->tasks) {
      if (t.phase == task_phase::running)
        running.push_back(id);
      else
        out.push_back(kill_task{id, "stopped before it started"});
    }
    if (running.empty()) {
      drop.push_back(g->id);
      continue;
    }
    for (auto it = g->tasks.begin(); it != g->tasks.end();)
      it = it->second.phase == task_phase::running ? std::next(it) : g->tasks.erase(it);
    g->rolling = true;
    g->handoff_early = false;
    ++stopped;
    out.push_back(
        roll_over{g->id, g->generation, std::move(running), true, g->commit_as});
  }
  for (auto id : drop) {
    forget_group(reading_[id]);
    reading_.erase(id);
  }

  if (early) {
    bool all = std::all_of(reading_.begin(), reading_.end(),
                           [](const auto& kv) { return kv.second.rolling; });
    if (all) early_stop_.reset();
  }
}

void reconciler::check_publishing(actions& out, utc_time now) {
  for (auto it = publishing_.begin(); it != publishing_.end();) {
    auto gid = it->first;
    auto& list = it->second;
    for (size_t i = 0; i < list.size(); ++i) {
      auto& g = list[i];
      if (g.completion_deadline && now > *g.completion_deadline) {
        std::string ids;
        for (const auto& id : g.task_ids()) ids += (ids.empty() ? "" : ",") + id;
        fail_publishing_group(gid, i, out,
                              "No task in [" + ids + "] for taskGroup[" +
                                  std::to_string(gid) +
                                  "] succeeded before the completion timeout elapsed",
                              now);
        break;
      }
    }
    it = list.empty() ? publishing_.erase(it) : std::next(it);
  }
}

void reconciler::check_reading(actions& out, utc_time now) {
  (void)out;
  (void)now;
  // Failed tasks leave their group when they are reported (task_finished); a
  // group without tasks is recreated below.
  for (auto it = reading_.begin(); it != reading_.end();)
    it = it->second.tasks.empty() && !it->second.rolling ? reading_.erase(it)
                                                         : std::next(it);
}

void reconciler::check_idle(utc_time now) {
  bool enabled = spec_.io.idle ? spec_.io.idle->enabled : cfg_.idle_enabled_default;
  if (!enabled || !stream::traits_of(spec_.type).can_idle || spec_.suspended || bounded())
    return;
  std::optional<int64_t> ms;
  if (spec_.io.idle) ms = spec_.io.idle->inactive_after_millis;
  auto after = millis{ms.value_or(cfg_.idle_after_ms_default)};

  bool unchanged = idle_latest_ && *idle_latest_ == latest_;
  idle_latest_ = latest_;
  if (!unchanged || (latest_at_ && behind())) {
    active_since_ = now;
    if (states_.state() == detailed_state::idle)
      states_.maybe_set(detailed_state::running);
    return;
  }
  if (!active_since_) active_since_ = now;
  if (now - *active_since_ >= after) states_.maybe_set(detailed_state::idle);
}

std::optional<offset_map> reconciler::start_offsets(const std::vector<partition_id>& ps,
                                                    actions& out, utc_time now) {
  offset_map start;
  offset_map chosen;  ///< partitions starting at the latest offsets
  std::vector<partition_id> reset;
  for (const auto& p : ps) {
    if (auto n = next_offsets_.find(p); n != next_offsets_.end()) {
      start[p] = n->second;
      continue;
    }
    if (committed_ && bounded() && !committed_->offsets.empty() &&
        committed_->bounded != bounded_) {
      states_.record_error(
          now, "DruidException",
          "Bounded supervisor [" + spec_.id +
              "] detected existing metadata from a different run with a different "
              "boundedStreamConfig. Either (1) use the supervisor reset API to clear the "
              "existing "
              "metadata, or (2) use a different supervisor ID.",
          false);
      return std::nullopt;
    }
    if (committed_)
      if (auto c = committed_->offsets.find(p); c != committed_->offsets.end()) {
        // Below the earliest retained offset (retention), or past the latest
        // (the topic was deleted and created again): nothing can be read there.
        auto e = earliest_.find(p);
        auto l = latest_.find(p);
        bool unavailable = !spec_.tuning.skip_sequence_number_availability_check &&
                           ((e != earliest_.end() && c->second < e->second) ||
                            (l != latest_.end() && c->second > l->second));

        if (!unavailable) {
          start[p] = c->second;
          continue;
        }
        if (bounded() && e != earliest_.end() && c->second < e->second) {
          // A backfill behind the stream's retention: say exactly what is
          // lost and read on from what is left.
          start[p] = std::min(e->second, bounded_->end.at(p));
          note_loss(p, c->second, start[p], now);
          continue;
        }
        if (!spec_.tuning.reset_offset_automatically) {
          states_.record_error(now, "StreamException",
                               "Previous sequenceNumber [" + c->second.to_string() +
                                   "] is no longer available for partition [" + p +
                                   "]. You can clear the previous sequenceNumber and "
                                   "start reading from a valid "
                                   "message by using the supervisor's reset API.",
                               true);
          return std::nullopt;
        }
        reset.push_back(p);
      }
    if (bounded()) {
      auto s = bounded_->start.at(p);
      auto e = earliest_.find(p);
      if (e != earliest_.end() && s < e->second && s < bounded_->end.at(p)) {
        auto from = s;
        s = std::min(e->second, bounded_->end.at(p));
        note_loss(p, from, s, now);
      }
      start[p] = s;
      continue;
    }
    // Partitions that appeared after the first discovery start from the
    // earliest offset: nothing written to them is skipped.
    bool discovered_later = !initial_partitions_.count(p);
    const auto& side =
        spec_.io.use_earliest_offset || discovered_later ? earliest_ : latest_;

    auto o = side.find(p);
    if (o == side.end()) return std::nullopt;  // offsets not known yet
    start[p] = o->second;
    if (&side == &latest_) chosen[p] = o->second;
  }
  if (!reset.empty() || !chosen.empty()) {
    // resetOffsetAutomatically: drop the unavailable offsets from the row and
    // record it; the partitions start from earliest/latest. And the latest
    // offsets are where this supervisor starts: kept in the row, so a group
    // lost before its first publish (a worker gone, a leader failover)
    // starts there again and nothing read since is skipped.
    if (!committed_)
      committed_ = committed_offsets{spec_.type, spec_.stream(), {}, {}, {}};
    for (const auto& p : reset) committed_->offsets.erase(p);
    for (const auto& [p, o] : chosen) committed_->offsets.try_emplace(p, o);
    if (!reset.empty())
      states_.record_error(now, "StreamException",
                           "Offsets no longer available were reset automatically: " +
                               to_json(start).dump(),
                           true);
    out.push_back(edit_offsets{{}, std::move(reset), std::move(chosen)});
  }
  return start;
}

task::task_spec reconciler::make_task(const task_group& g) {
  task::task_spec t;
  t.id = g.base_sequence_name + "_" + random_suffix();
  t.supervisor_id = spec_.id;
  t.group_id = g.id;
  t.base_sequence_name = g.base_sequence_name;
  t.spec = spec_;
  t.start = g.start;
  t.checkpoints.assign(g.checkpoints.begin() + (g.checkpoints.empty() ? 0 : 1),
                       g.checkpoints.end());

  t.end = g.end;
  t.commit_as = g.commit_as;
  t.bounded = bounded_;
  t.min_message_time = g.min_message_time;
  t.max_message_time = g.max_message_time;
  return t;
}

bool reconciler::waits_for_parent(const partition_id& p) const {
  auto it = parents_.find(p);
  if (it == parents_.end()) return false;
  for (const auto& q : it->second) {
    // Gone from the stream (expired), or read to its end by a group.
    if (std::find(partitions_.begin(), partitions_.end(), q) == partitions_.end())
      continue;
    if (auto n = next_offsets_.find(q); n != next_offsets_.end() && n->second.is_end())
      continue;
    if (committed_)
      if (auto c = committed_->offsets.find(q);
          c != committed_->offsets.end() && c->second.is_end())
        continue;
    return true;
  }
  return false;
}

void reconciler::create_groups(actions& out, utc_time now) {
  seal_from_row(out, now);
  const auto& ps = partitions_;
  auto groups = partition_groups(ps, task_count());
  // Partitions a reading group (perhaps of an older taskCount) still owns.
  std::map<partition_id, int32_t, partition_less> owner;
  for (const auto& [gid, g] : reading_)
    for (const auto& [p, _] : g.start) owner[p] = gid;
  for (const auto& [gid, members] : groups) {
    bool wait = false;
    for (const auto& p : members)
      if (auto o = owner.find(p); o != owner.end() && o->second != gid) wait = true;
    // Its partitions still belong to another group that is rolling over: its
    // end offsets will be this group's start.
    if (wait && !reading_.count(gid)) continue;
    if (auto r = reading_.find(gid); r != reading_.end()) {
      auto& g = r->second;
      if (g.rolling) continue;
      while (static_cast<int32_t>(g.tasks.size()) < spec_.io.replicas) {
        auto t = make_task(g);
        g.tasks[t.id] = task_slot{t.id, task_phase::pending, std::nullopt, {}};
        out.push_back(create_task{std::move(t)});
      }
      continue;
    }
    std::optional<offset_map> end;
    if (bounded()) {
      offset_map e;
      bool reached = true;
      for (const auto& p : members) {
        e[p] = bounded_->end.at(p);
        auto s = bounded_->start.at(p);
        if (s > e[p]) {
          states_.record_error(now, "IAE",
                               "Start offset " + s.to_string() + " of partition [" + p +
                                   "] is after its end offset " + e[p].to_string(),
                               false);
          reached = false;
          continue;
        }
        bool done = s == e[p];
        if (!done && committed_ && committed_->bounded == bounded_)
          if (auto c = committed_->offsets.find(p); c != committed_->offsets.end())
            done = c->second >= e[p];
        // A group that reached its end and published (the row may not show it
        // yet if it could not be read before this run).
        if (auto n = next_offsets_.find(p); n != next_offsets_.end())
          done |= n->second >= e[p];
        reached &= done;
      }
      if (reached) continue;  // never re-created once its range is committed
      bool reversed = false;
      for (const auto& p : members)
        reversed |= bounded_->start.at(p) > bounded_->end.at(p);
      if (reversed) continue;
      end = std::move(e);
    }
    // Children of a split or merge wait until their parents are read to the
    // end (they join a later task of their group).
    std::vector<partition_id> ready;
    for (const auto& p : members)
      if (!waits_for_parent(p)) ready.push_back(p);
    if (ready.empty()) continue;
    auto start = start_offsets(ready, out, now);
    if (!start) continue;
    task_group g;
    g.id = gid;
    g.generation = next_generation_++;
    g.start = *start;
    g.end = std::move(end);
    g.checkpoints.push_back(g.start);
    const auto& io = spec_.io;
    if (io.late_message_rejection_start_date_time)
      g.min_message_time = *io.late_message_rejection_start_date_time;
    else if (io.late_message_rejection_period)
      g.min_message_time = now - io.late_message_rejection_period->to_millis();
    if (io.early_message_rejection_period)
      g.max_message_time = now + io.task_duration.to_millis() +
                           io.early_message_rejection_period->to_millis();
    // Druid hashes the schema, tuning and start offsets into the sequence
    // name: replicas of one group share it, a changed spec or start changes it.
    auto seed = fnv(to_json(spec_).dump());

    seed = fnv(to_json(g.start).dump(), seed);
    g.base_sequence_name = "index_" + spec_.type + "_" + spec_.id + "_" + hex15(seed);
    for (int32_t r = 0; r < spec_.io.replicas; ++r) {
      auto t = make_task(g);
      g.tasks[t.id] = task_slot{t.id, task_phase::pending, std::nullopt, {}};
      out.push_back(create_task{std::move(t)});
    }
    reading_.emplace(gid, std::move(g));
  }
}

}  // namespace sv::core::supervisor
