#pragma once
// timestampSpec: turns a raw field value into an event time. Formats: auto
// (ISO 8601 text or epoch millis), iso, millis, posix (seconds), micro, nano,
// ruby (seconds with fraction), or a Joda-style pattern ("yyyy-MM-dd HH:mm:ss").

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "core/ingest/row_buffer.hpp"
#include "core/time.hpp"

namespace sv::core::ingest {

class timestamp_parser {
 public:
  /// `format` as in timestampSpec; `missing` is the missingValue, if any.
  static caf::expected<timestamp_parser> make(const std::string& format,
                                              std::optional<utc_time> missing);

  /// The event time, or an error message when the value cannot be read.
  caf::expected<utc_time> parse(const raw_value& v) const;

  /// Fast path for "2026-01-02T03:04:05.678Z"-shaped text (also with a space
  /// instead of 'T', without millis or seconds, or with a +hh:mm offset).
  static std::optional<utc_time> parse_iso_fast(std::string_view s);

 private:
  enum class kind : uint8_t { automatic, iso, millis, posix, micro, nano, ruby, pattern };
  kind k_ = kind::automatic;
  std::string pattern_;  ///< date::parse format converted from the Joda pattern
  std::optional<utc_time> missing_;

  caf::expected<utc_time> from_number(double v, std::string_view text) const;
  caf::expected<utc_time> from_text(std::string_view s) const;
};

/// Converts a Joda pattern to a date::parse format ("yyyy-MM-dd" -> "%Y-%m-%d").
caf::expected<std::string> joda_to_strptime(const std::string& joda);

}  // namespace sv::core::ingest
