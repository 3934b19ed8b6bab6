#pragma once
// Turns one parsed record into an index row: event time (timestampSpec),
// rejection windows, the filter, dimension and metric values, then the rollup
// index. Reports what happened to the record, with the reason for errors.

#include <optional>
#include <string>

#include "core/ingest/rollup_index.hpp"
#include "core/ingest/row_stats.hpp"

namespace sv::core::ingest {

/// Event-time limits of a task (lateMessageRejection*, earlyMessageRejectionPeriod).
struct time_window {
  std::optional<utc_time> min_time;  ///< earlier events are thrown away
  std::optional<utc_time> max_time;  ///< later events are thrown away
};

struct row_result {
  row_outcome outcome = row_outcome::processed;
  std::string error;  ///< for processedWithError and unparseable
  int64_t time = 0;   ///< event time (epoch ms) of a row that went into the index
};

class ingestor {
 public:
  explicit ingestor(const schema& s, time_window w = {}) : schema_(s), window_(w) {}

  /// Adds `row` to `index` (unless it is thrown away or unparseable). Staged,
  /// the row may be finished later (rollup_index::stage_row): the caller
  /// flushes the index before anything reads it.
  row_result add(const row_buffer& row, rollup_index& index, bool staged = false);

 private:
  const schema& schema_;
  time_window window_;
  std::vector<std::string_view> items_;
  std::vector<num_value> inputs_;  ///< metric inputs of the current row
  /// The queryGranularity bucket of the last row, [lo, hi): rows mostly fall
  /// in the bucket of the row before them.
  bool bucket_known_ = false;
  utc_time bucket_lo_{}, bucket_hi_{};
};

}  // namespace sv::core::ingest
