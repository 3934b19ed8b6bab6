#include "core/task/report.hpp"

namespace sv::core::task {

json completion_report(const std::string& task_id, const std::string& ingestion_state,
                       ingest::row_stats& stats, const std::string& error,
                       const std::vector<segment_record>& published) {
  json::array segments;
  for (const auto& s : published)
    segments.push_back(json::make_object(
        {{"id", s.id},
         {"interval", format_utc_time(s.start) + "/" + format_utc_time(s.end)},
         {"numRows", s.num_rows},
         {"size", s.size_bytes}}));
  auto payload = json::make_object({
      {"ingestionState", ingestion_state},
      {"unparseableEvents",
       json::make_object({{"buildSegments", stats.exceptions_json()}})},
      {"rowStats",
       json::make_object({{"buildSegments", ingest::to_json(stats.totals())}})},
      {"errorMsg", error.empty() ? json{} : json{error}},
      {"segmentAvailabilityConfirmed", false},
      {"segmentAvailabilityWaitTimeMs", 0},
      {"publishedSegments", json{std::move(segments)}},
  });
  return json::make_object({{"ingestionStatsAndErrors",
                             json::make_object({{"type", "ingestionStatsAndErrors"},
                                                {"taskId", task_id},
                                                {"payload", std::move(payload)}})}});
}

}  // namespace sv::core::task
