#pragma once
// Row counters in Druid's rowStats shape: processed, processedBytes,
// processedWithError, thrownAway, unparseable — totals plus 1/5/15-minute
// moving averages (events per second, exponentially weighted, ticking every
// 5 s like Dropwizard meters) — and the saved parse exceptions.

#include <array>
#include <deque>
#include <string>

#include "core/json.hpp"
#include "core/time.hpp"

namespace sv::core::ingest {

enum class row_outcome : uint8_t {
  processed,
  processed_with_error,
  thrown_away,
  unparseable
};

struct row_counts {
  int64_t processed = 0;
  int64_t processed_bytes = 0;
  int64_t processed_with_error = 0;
  int64_t thrown_away = 0;
  int64_t unparseable = 0;

  /// Counts one record or row of outcome `o`; `bytes` are counted whatever it is.
  void add(row_outcome o, size_t bytes);
  /// Adds another set of counts.
  void add(const row_counts& other);
};

/// One saved parse exception (Druid's ParseExceptionReport).
struct parse_exception {
  std::string input;       ///< the record, truncated
  std::string error_type;  ///< "processedWithError" or "unparseable"
  std::string details;
  utc_time time{};
};

class row_stats {
 public:
  /// Keeps at most `max_saved` parse exceptions (maxSavedParseExceptions).
  explicit row_stats(int32_t max_saved = 0) : max_saved_(max_saved) {}

  /// Counts one record; `bytes` are its raw bytes.
  void record(row_outcome o, size_t bytes, utc_time now);
  /// Counts what was counted elsewhere (one batch's share), as of `now`.
  void record(const row_counts& c, utc_time now);
  /// Keeps a parse exception if room is configured.
  void save_exception(parse_exception e);

  const row_counts& totals() const { return totals_; }
  const std::deque<parse_exception>& exceptions() const { return saved_; }
  int64_t parse_errors() const {
    return totals_.processed_with_error + totals_.unparseable;
  }

  /// {"movingAverages": {"buildSegments": {"1m", "5m", "15m"}}, "totals":
  /// {"buildSegments"}}
  json to_json(utc_time now);
  /// [{"timeOfExceptionMillis", "input", "errorType", "details"}], newest last
  json exceptions_json() const;

 private:
  void tick_to(utc_time now);

  struct rates {
    std::array<double, 5> per_second{};
  };
  row_counts totals_;
  row_counts since_tick_;
  std::array<rates, 3> ewma_{};  // 1m, 5m, 15m
  bool ticked_ = false;
  utc_time last_tick_{};
  bool started_ = false;
  int32_t max_saved_;
  std::deque<parse_exception> saved_;
};

json to_json(const row_counts& c);

}  // namespace sv::core::ingest
