#pragma once
// A task's completion report in Druid's shape (GET /task/{id}/reports):
// {"ingestionStatsAndErrors": {"type", "taskId", "payload": {"ingestionState",
//  "unparseableEvents": {"buildSegments": [...]}, "rowStats": {"buildSegments":
//  {...}}, "errorMsg", ...}}} plus the segments the task published.

#include <string>
#include <vector>

#include "core/ingest/row_stats.hpp"
#include "core/json.hpp"
#include "core/records.hpp"

namespace sv::core::task {

/// NOT_STARTED, BUILD_SEGMENTS or COMPLETED.
json completion_report(const std::string& task_id, const std::string& ingestion_state,
                       ingest::row_stats& stats, const std::string& error,
                       const std::vector<segment_record>& published);

}  // namespace sv::core::task
