#pragma once
// Druid granularities: the named ones (NONE, SECOND, ..., HOUR, DAY, WEEK,
// MONTH, QUARTER, YEAR, ALL) and the object forms {"type":"period",...} and
// {"type":"duration",...}. Buckets are computed in UTC.

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "core/json.hpp"
#include "core/time.hpp"

namespace sv::core {

struct granularity {
  enum class kind : uint8_t { none, all, period, duration };
  kind k = kind::none;
  /// For kind::period: the bucket period, e.g. PT1H or P1M.
  iso_period period;
  /// For kind::duration: bucket length in ms.
  int64_t duration_ms = 0;
  /// For period/duration objects: the bucket origin (defaults to the epoch; Joda's
  /// weeks start on Monday, 1970-01-05).
  utc_time origin{};
  /// The name it was written as ("HOUR"), or empty for the object forms.
  std::string name;
  /// The object form as posted (for printing back), when not a name.
  json object;

  /// Start of the bucket containing t.
  utc_time bucket_start(utc_time t) const;
  /// Start of the bucket after the one starting at `start`.
  utc_time next(utc_time start) const;

  /// A total order from finest to coarsest for validation (NONE < SECOND < ... < ALL);
  /// approximate for object forms (by their length).
  int64_t approximate_millis() const;

  /// Prints as the name, or the object form.
  json to_json() const;

  friend bool operator==(const granularity& a, const granularity& b) {
    return a.to_json() == b.to_json();
  }
};

/// Parses a granularity name (case-insensitive) or object.
caf::expected<granularity> parse_granularity(const json& x);
caf::expected<granularity> parse_granularity_name(std::string_view name);

}  // namespace sv::core
