#pragma once
// Time values used by specs and the runtime: UTC instants with millisecond
// precision, ISO 8601 periods (Joda-style: "PT1H", "P1D", "P1Y2M"), and their
// text forms. Calendar arithmetic (months, years) uses Howard Hinnant's date.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace sv::core {

using millis = std::chrono::milliseconds;
/// A UTC instant with millisecond precision.
using utc_time = std::chrono::time_point<std::chrono::system_clock, millis>;

/// The current time, truncated to milliseconds.
utc_time utc_now();

/// Parses an ISO 8601 date-time as Druid accepts it: "2016-01-01",
/// "2016-01-01T11:00Z", "2016-01-01T11:00:00.000+02:00", ... A missing zone
/// means UTC.
caf::expected<utc_time> parse_utc_time(std::string_view text);

/// Formats as "2016-01-01T11:00:00.000Z".
std::string format_utc_time(utc_time t);

/// An ISO 8601 period. Fields are kept as written (PT60M stays PT60M) so a spec
/// prints back the way it was posted.
struct iso_period {
  int64_t years = 0;
  int64_t months = 0;
  int64_t weeks = 0;
  int64_t days = 0;
  int64_t hours = 0;
  int64_t minutes = 0;
  int64_t second_millis = 0;  ///< the S field (seconds and fractions), in ms

  /// True if the period has no year or month part, so it has a fixed length.
  bool is_fixed() const { return years == 0 && months == 0; }

  /// The length of a fixed period (weeks = 7 days, days = 24 hours).
  /// Precondition: is_fixed().
  core::millis to_millis() const;

  /// Adds the period to an instant with calendar rules (UTC).
  utc_time add_to(utc_time t) const;

  friend bool operator==(const iso_period&, const iso_period&) = default;
};

/// Parses "P1Y2M3W4DT5H6M7.5S" (any subset, at least one field; no negative
/// values). Errors name the offending text.
caf::expected<iso_period> parse_period(std::string_view text);

/// Canonical text: only non-zero fields, "PT0S" for the empty period.
std::string format_period(const iso_period& p);

/// A period of exactly `ms` milliseconds expressed as hours/minutes/seconds.
iso_period period_from_millis(int64_t ms);

}  // namespace sv::core
