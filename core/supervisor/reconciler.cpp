#include "core/supervisor/reconciler.hpp"

#include <algorithm>

#include "core/errc.hpp"

namespace sv::core::supervisor {

std::optional<utc_time> task_group::started() const {
  std::optional<utc_time> out;
  for (const auto& [_, t] : tasks)
    if (t.start_time && (!out || *t.start_time < *out)) out = t.start_time;
  return out;
}

std::vector<std::string> task_group::task_ids() const {
  std::vector<std::string> out;
  for (const auto& [id, _] : tasks) out.push_back(id);
  return out;
}

namespace {

// splitmix64's finaliser: spreads every input bit over the output.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t id_seed(const reconciler_config& cfg, const std::string& id) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a of the id
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  return mix(mix(mix(cfg.seed) ^ h) ^ cfg.incarnation);
}

}  // namespace

reconciler::reconciler(supervisor_spec spec, reconciler_config cfg, utc_time now)
    : spec_(std::move(spec)),
      cfg_(cfg),
      states_(cfg.thresholds),
      rng_(id_seed(cfg, spec_.id)) {
  (void)now;
  if (spec_.io.bounded) {
    std::vector<problem> ps;
    bounded_ = bounded_offsets(*spec_.io.bounded, "", ps);
    if (bounded_)
      for (const auto& [p, _] : bounded_->start) partitions_.push_back(p);
  }
  if (spec_.suspended) states_.maybe_set(detailed_state::suspended);
}

int32_t reconciler::task_count() const {
  return std::max(1, spec_.io.task_count);
}

void reconciler::observe_stream(std::vector<partition_id> partitions, offset_map earliest,
                                offset_map latest, utc_time at) {
  if (!bounded()) {
    if (!std::is_sorted(partitions.begin(), partitions.end(), partition_less{}))
      std::sort(partitions.begin(), partitions.end(), partition_less{});

    partitions_ = std::move(partitions);
    if (!partitions_known_)
      initial_partitions_.insert(partitions_.begin(), partitions_.end());
  }

  partitions_known_ = true;
  earliest_ = std::move(earliest);
  observe_latest(std::move(latest), at);
}

void reconciler::observe_stream_error(const std::string& message, utc_time at) {
  states_.record_error(at, "StreamException", message, true);
}

void reconciler::observe_latest(offset_map latest, utc_time at) {
  for (const auto& [p, o] : latest) latest_[p] = o;
  latest_at_ = at;
  record_lag(at);
}

void reconciler::record_lag(utc_time at) {
  auto l = lag();
  if (!l) return;
  int64_t total = 0;
  for (const auto& [_, v] : *l) total += std::max<int64_t>(0, v.value());
  history_.record(at.time_since_epoch().count(), total);
}

void reconciler::observe_committed(std::optional<committed_offsets> row) {
  committed_ = std::move(row);
  committed_known_ = true;
}

void reconciler::observe_committed_error(const std::string& message, utc_time at) {
  committed_known_ = false;
  states_.record_error(at, "MetadataStorageException", message, false);
}

void reconciler::observe_error(const std::string& exception_class,
                               const std::string& message, utc_time at) {
  states_.record_error(at, exception_class, message, false);
}

void reconciler::observe_task_problem(const std::string& task_id,
                                      const std::string& message, utc_time at) {
  states_.note_error(at, "TaskRetry", "task [" + task_id + "]: " + message);
}

task_group* reconciler::find_reading(int32_t group, int32_t generation) {
  auto i = reading_.find(group);
  if (i == reading_.end() || i->second.generation != generation) return nullptr;
  return &i->second;
}

void reconciler::task_started(const std::string& id, utc_time at) {
  for (auto& [_, g] : reading_)
    if (auto t = g.tasks.find(id); t != g.tasks.end()) {
      t->second.phase = task_phase::running;
      if (!t->second.start_time) t->second.start_time = at;
      if (t->second.current.empty()) t->second.current = g.start;
    }
}

void reconciler::task_offsets(const std::string& id, offset_map current) {
  for (auto& [_, g] : reading_)
    if (auto t = g.tasks.find(id); t != g.tasks.end()) t->second.current = current;
  for (auto& [_, list] : publishing_)
    for (auto& g : list)
      if (auto t = g.tasks.find(id); t != g.tasks.end()) t->second.current = current;
}

actions reconciler::task_finished(const std::string& id, bool success,
                                  const std::string& error, utc_time now) {
  actions out;
  (void)error;
  for (auto it = reading_.begin(); it != reading_.end(); ++it) {
    auto& g = it->second;
    auto t = g.tasks.find(id);
    if (t == g.tasks.end()) continue;
    if (success) {
      // A reading task that succeeded published its range (bounded, or stopped
      // by hand): the group is done; its replicas stop. Streaming partitions are
      // read again from the offsets row.
      states_.task_succeeded();
      for (const auto& other : g.task_ids())
        if (other != id) out.push_back(kill_task{other, "a replica succeeded"});
      for (const auto& [p, _] : g.start) {
        if (g.end && g.end->count(p))
          next_offsets_[p] = g.end->at(p);
        else
          next_offsets_.erase(p);
      }
      reading_.erase(it);
    } else {
      states_.task_failed();
      g.tasks.erase(t);
      if (g.tasks.empty()) {
        forget_group(g);
        reading_.erase(it);
      }
    }
    return out;
  }
  for (auto& [gid, list] : publishing_) {
    for (size_t i = 0; i < list.size(); ++i) {
      auto& g = list[i];
      auto t = g.tasks.find(id);
      if (t == g.tasks.end()) continue;
      if (success) {
        states_.task_succeeded();
        for (const auto& other : g.task_ids())
          if (other != id) out.push_back(kill_task{other, "a replica succeeded"});
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        states_.task_failed();
        g.tasks.erase(t);
        if (g.tasks.empty())
          fail_publishing_group(gid, i, out,
                                "Every task of taskGroup[" + std::to_string(gid) +
                                    "] failed while publishing",
                                now);
      }
      if (list.empty()) publishing_.erase(gid);
      return out;
    }
  }
  return out;
}

actions reconciler::rolled_over(int32_t group, int32_t generation, bool finish,
                                const std::optional<offset_map>& end, utc_time now) {
  actions out;
  auto* g = find_reading(group, generation);
  if (!g) return out;
  g->rolling = false;
  if (!end) {
    // No task could be paused or given its end: start this group over.
    for (const auto& id : g->task_ids())
      out.push_back(kill_task{id, "could not be checkpointed"});
    forget_group(*g);
    reading_.erase(group);
    return out;
  }
  if (!finish) {
    g->checkpoints.push_back(*end);
    return out;
  }
  g->end = end;
  g->completion_deadline = now + spec_.io.completion_timeout.to_millis();
  for (const auto& [p, o] : *end) next_offsets_[p] = o;
  publishing_[group].push_back(std::move(*g));
  reading_.erase(group);
  return out;
}

actions reconciler::checkpoint_requested(const std::string& task_id, int32_t group,
                                         const offset_map& sequence_start, utc_time now) {
  actions out;
  auto i = reading_.find(group);
  if (i == reading_.end() || !i->second.tasks.count(task_id))
    return out;  // publishing: ignore
  auto& g = i->second;
  if (g.rolling) return out;
  if (g.checkpoints.empty() || g.checkpoints.back() == sequence_start) {
    g.rolling = true;
    out.push_back(roll_over{g.id, g.generation, g.task_ids(), false, std::nullopt});
    return out;
  }
  for (const auto& cp : g.checkpoints)
    if (cp == sequence_start) return out;  // a replica asked already
  states_.record_error(
      now, "IllegalStateException",
      "No such previous checkpoint [" + to_json(sequence_start).dump() + "] found",
      false);
  return out;
}

void reconciler::fail_publishing_group(int32_t gid, size_t index, actions& out,
                                       const std::string& why, utc_time now) {
  auto& list = publishing_[gid];
  states_.record_error(now, "ISE", why, false);
  // This group and every later one of the same id depend on data that will
  // never be published: stop them all and read again from the offsets row.
  for (size_t i = index; i < list.size(); ++i) {
    for (const auto& id : list[i].task_ids()) out.push_back(kill_task{id, why});
    for (const auto& [p, _] : list[i].start) next_offsets_.erase(p);
  }
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(index), list.end());
  if (auto r = reading_.find(gid); r != reading_.end()) {
    for (const auto& id : r->second.task_ids()) out.push_back(kill_task{id, why});
    for (const auto& [p, _] : r->second.start) next_offsets_.erase(p);
    reading_.erase(r);
  }
}

actions reconciler::reset(utc_time now) {
  (void)now;
  // Kills first: the row goes after the readers were told to stop.
  actions out;
  for (const auto& [_, g] : reading_)
    for (const auto& id : g.task_ids()) out.push_back(kill_task{id, "supervisor reset"});
  out.push_back(delete_offsets{});

  reading_.clear();
  next_offsets_.clear();
  committed_.reset();
  idle_latest_.reset();
  // Partitions are discovered afresh: all of them start per useEarliestOffset.
  partitions_known_ = false;
  initial_partitions_.clear();

  return out;
}

actions reconciler::reset_offsets(const offset_map& given, utc_time now) {
  (void)now;
  actions out;
  // Merged in the store, atomically with publishes; our view until the next
  // run reads the row back.
  out.push_back(edit_offsets{given, {}});
  if (!committed_)
    committed_ = committed_offsets{spec_.type, spec_.stream(), {}, bounded_, {}};
  committed_->offsets = plus(committed_->offsets, given);

  for (auto it = reading_.begin(); it != reading_.end();) {
    bool affected = false;
    for (const auto& [p, _] : given) affected |= it->second.start.count(p) > 0;
    if (!affected) {
      ++it;
      continue;
    }
    for (const auto& id : it->second.task_ids())
      out.push_back(kill_task{id, "offsets were reset"});
    it = reading_.erase(it);
  }
  for (const auto& [p, _] : given) next_offsets_.erase(p);
  // Groups killed above may own other partitions too: re-read those from the row.
  for (auto it = next_offsets_.begin(); it != next_offsets_.end();) {
    bool owned = false;
    for (const auto& [_, g] : reading_) owned |= g.start.count(it->first) > 0;
    bool publishing = false;
    for (const auto& [_, list] : publishing_)
      for (const auto& g : list) publishing |= g.start.count(it->first) > 0;
    it = (!owned && !publishing) ? next_offsets_.erase(it) : std::next(it);
  }
  return out;
}

void reconciler::handoff(const std::vector<int32_t>& groups) {
  for (auto g : groups)
    if (auto i = reading_.find(g); i != reading_.end()) i->second.handoff_early = true;
}

void reconciler::update_spec(supervisor_spec spec, utc_time now) {
  bool resumed = spec_.suspended && !spec.suspended;
  spec_ = std::move(spec);
  if (spec_.io.bounded) {
    std::vector<problem> ps;
    bounded_ = bounded_offsets(*spec_.io.bounded, "", ps);
  } else {
    bounded_.reset();
  }
  // Reading groups publish what they read; new groups start at their end
  // offsets with the new spec.
  if (!reading_.empty()) early_stop_ = now;
  if (resumed) states_.restart_first_run();
  if (spec_.suspended) states_.maybe_set(detailed_state::suspended);
}

void reconciler::set_stopping() {
  stopping_ = true;
  early_stop_ = utc_time{};
  states_.stopping();
}

bool reconciler::stopped() const {
  if (!stopping_) return false;
  return reading_.empty();
}

bool reconciler::predecessor_publishing(
    int32_t group, const std::vector<partition_id>& partitions) const {
  (void)group;
  for (const auto& [_, list] : publishing_)
    for (const auto& g : list)
      for (const auto& p : partitions)
        if (g.start.count(p)) return true;
  return false;
}

void reconciler::forget_group(const task_group& g) {
  // While an older group still publishes a partition, the offsets row is not
  // final there and this group cannot have committed anything: its start is
  // where the next group must start. Otherwise the row is the truth.
  for (const auto& [p, o] : g.start) {
    bool covered = false;
    for (const auto& [_, list] : publishing_)
      for (const auto& other : list) covered |= other.start.count(p) > 0;
    if (covered)
      next_offsets_[p] = o;
    else
      next_offsets_.erase(p);
  }
}

std::optional<int32_t> reconciler::group_of_task(const std::string& id) const {
  for (const auto& [gid, g] : reading_)
    if (g.tasks.count(id)) return gid;
  for (const auto& [gid, list] : publishing_)
    for (const auto& g : list)
      if (g.tasks.count(id)) return gid;
  return std::nullopt;
}

bool reconciler::knows_task(const std::string& id) const {
  return group_of_task(id).has_value();
}

std::vector<std::string> reconciler::task_ids() const {
  std::vector<std::string> out;
  for (const auto& [_, g] : reading_)
    for (const auto& id : g.task_ids()) out.push_back(id);
  for (const auto& [_, list] : publishing_)
    for (const auto& g : list)
      for (const auto& id : g.task_ids()) out.push_back(id);
  return out;
}

std::string reconciler::random_suffix() {
  std::string s(8, 'a');
  for (auto& c : s) c = static_cast<char>('a' + rng_() % 26);
  return s;
}

}  // namespace sv::core::supervisor
