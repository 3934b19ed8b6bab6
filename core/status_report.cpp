#include "core/status_report.hpp"

namespace sv::core {

namespace {

json opt_offsets(const std::optional<offset_map>& m) {
  return m ? to_json(*m) : json{};
}

json task_json(const task_report& t) {
  auto j = json::make_object({
      {"id", t.id},
      {"startingOffsets", to_json(t.starting_offsets)},
      {"startTime", t.start_time ? json{format_utc_time(*t.start_time)} : json{}},
      {"remainingSeconds", t.remaining_seconds},
      {"type", t.publishing ? "PUBLISHING" : "ACTIVE"},
      {"currentOffsets", to_json(t.current_offsets)},
  });
  if (!t.publishing) j.set("lag", opt_offsets(t.lag));
  if (t.waiting_for_lock) j.set("waitingForLock", *t.waiting_for_lock);
  return j;
}

}  // namespace

json to_json(const supervisor_status& s) {
  json::array active, publishing, errors;
  for (const auto& t : s.active_tasks) active.push_back(task_json(t));
  for (const auto& t : s.publishing_tasks) publishing.push_back(task_json(t));
  for (const auto& e : s.recent_errors)
    errors.push_back(json::make_object({{"timestamp", format_utc_time(e.timestamp)},
                                        {"exceptionClass", e.exception_class},
                                        {"message", e.message},
                                        {"streamException", e.stream_exception}}));
  auto out = json::make_object({
      {"id", s.id},
      {"dataSource", s.data_source},
      {"stream", s.stream},
      {"partitions", s.partitions},
      {"replicas", s.replicas},
      {"durationSeconds", s.duration_seconds},
      {"activeTasks", json{std::move(active)}},
      {"publishingTasks", json{std::move(publishing)}},
      {"latestOffsets", opt_offsets(s.latest_offsets)},
      {"minimumLag", opt_offsets(s.minimum_lag)},
      {"aggregateLag", s.aggregate_lag ? json{*s.aggregate_lag} : json{}},
      {"minimumLagMillis", opt_offsets(s.minimum_lag_millis)},
      {"aggregateLagMillis", s.aggregate_lag_millis ? json{*s.aggregate_lag_millis} : json{}},
      {"offsetsLastUpdated",
       s.offsets_last_updated ? json{format_utc_time(*s.offsets_last_updated)} : json{}},
      {"suspended", s.suspended},
      {"healthy", is_healthy(s.state)},
      {"state", to_string(basic_of(s.state))},
      {"detailedState", to_string(s.state)},
      {"recentErrors", json{std::move(errors)}},
  });
  if (!s.lost_offsets.empty()) {
    json lost{json::object{}};
    for (const auto& [p, r] : s.lost_offsets)
      lost.set(p, json::make_object({{"from", to_json(r.first)}, {"to", to_json(r.second)}}));
    out.set("lostOffsets", std::move(lost));
  }
  return out;
}

}  // namespace sv::core
