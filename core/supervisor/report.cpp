// What the supervisor reports: the status payload (Druid's §9.2) and lag.

#include <algorithm>

#include "core/stream/stream_traits.hpp"
#include "core/supervisor/reconciler.hpp"

namespace sv::core::supervisor {

offset_map reconciler::highest_ingested() const {
  // Per partition: the furthest any task has read, else where the next group
  // starts, else the committed row.
  offset_map out;
  if (committed_)
    for (const auto& [p, o] : committed_->offsets) out[p] = o;
  for (const auto& [p, o] : next_offsets_)
    out[p] = std::max(out.count(p) ? out[p] : o, o);
  for (const auto& [_, g] : reading_)
    for (const auto& [p, o] : g.start) out[p] = std::max(out.count(p) ? out[p] : o, o);

  auto take = [&](const task_group& g) {
    for (const auto& [_, t] : g.tasks)
      for (const auto& [p, o] : t.current) {
        auto i = out.find(p);
        if (i == out.end() || i->second < o) out[p] = o;
      }
  };
  for (const auto& [_, g] : reading_) take(g);
  for (const auto& [_, list] : publishing_)
    for (const auto& g : list) take(g);
  return out;
}

offset_map reconciler::lag_targets() const {
  if (!bounded()) return latest_;
  // A bounded supervisor reads its own partitions up to their end, and is
  // done (no lag) there, however far the stream went on.
  offset_map out;
  for (const auto& [p, end] : bounded_->end) {
    auto l = latest_.find(p);
    out[p] = l == latest_.end() ? end : std::min(end, l->second);
  }
  return out;
}

std::optional<offset_map> reconciler::lag() const {
  if (!stream::traits_of(spec_.type).lag_in_records) {
    if (!time_lag_) return std::nullopt;
    offset_map out;
    for (const auto& [p, _] : lag_targets()) {
      auto t = time_lag_->find(p);
      out[p] = t == time_lag_->end() ? 0 : std::max<int64_t>(0, t->second.value());
    }
    return out;
  }
  if (!latest_at_) return std::nullopt;
  auto highest = highest_ingested();
  offset_map out;
  for (const auto& [p, target] : lag_targets()) {
    auto h = highest.find(p);
    out[p] = h == highest.end() ? 0 : std::max<int64_t>(0, target - h->second);
  }
  return out;
}

bool reconciler::behind() const {
  auto highest = highest_ingested();
  for (const auto& [p, target] : lag_targets()) {
    auto h = highest.find(p);
    if (h != highest.end() && target > h->second) return true;
  }
  return false;
}

supervisor_status reconciler::status(utc_time now) const {
  supervisor_status s;
  s.id = spec_.id;
  s.data_source = spec_.data_source();
  s.stream = spec_.stream();
  s.partitions = static_cast<int32_t>(partitions_.size());
  s.replicas = spec_.io.replicas;
  s.duration_seconds = spec_.io.task_duration.to_millis().count() / 1000;
  s.suspended = spec_.suspended;
  s.state = states_.state();
  s.recent_errors.assign(states_.recent_errors().begin(), states_.recent_errors().end());
  s.lost_offsets.insert(losses_.begin(), losses_.end());

  auto duration = spec_.io.task_duration.to_millis();
  for (const auto& [_, g] : reading_)
    for (const auto& [id, t] : g.tasks) {
      task_report r;
      r.id = id;
      r.starting_offsets = g.start;
      r.current_offsets = t.current;
      r.start_time = t.start_time;
      if (t.start_time)
        r.remaining_seconds =
            std::max<int64_t>(0, (*t.start_time + duration - now).count() / 1000);
      if (latest_at_ && stream::traits_of(spec_.type).lag_in_records) {
        offset_map lag;
        auto targets = lag_targets();
        for (const auto& [p, start] : g.start) {
          auto l = targets.find(p);
          if (l == targets.end()) continue;
          auto c = t.current.find(p);
          lag[p] = l->second - (c == t.current.end() ? start : c->second);
        }
        r.lag = std::move(lag);
      }
      s.active_tasks.push_back(std::move(r));
    }
  for (const auto& [_, list] : publishing_)
    for (const auto& g : list)
      for (const auto& [id, t] : g.tasks) {
        task_report r;
        r.id = id;
        r.publishing = true;
        r.starting_offsets = g.start;
        r.current_offsets = t.current.empty() && g.end ? *g.end : t.current;
        r.start_time = t.start_time;
        if (g.completion_deadline)
          r.remaining_seconds =
              std::max<int64_t>(0, (*g.completion_deadline - now).count() / 1000);
        s.publishing_tasks.push_back(std::move(r));
      }

  if (latest_at_) {
    s.latest_offsets = latest_;
    s.offsets_last_updated = latest_at_;
  }
  if (auto l = lag()) {
    int64_t total = 0;
    for (const auto& [_, v] : *l) total += std::max<int64_t>(0, v.value());
    if (stream::traits_of(spec_.type).lag_in_records) {
      s.minimum_lag = std::move(l);
      s.aggregate_lag = total;
    } else {
      s.minimum_lag_millis = std::move(l);
      s.aggregate_lag_millis = total;
    }
  }
  return s;
}

}  // namespace sv::core::supervisor
