#include "core/granularity.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include <date/date.h>

#include "core/errc.hpp"

namespace sv::core {

namespace {

struct named {
  const char* name;
  const char* period;  // nullptr for NONE and ALL
};

constexpr std::array<named, 16> names = {{
    {"NONE", nullptr},
    {"SECOND", "PT1S"},
    {"MINUTE", "PT1M"},
    {"FIVE_MINUTE", "PT5M"},
    {"TEN_MINUTE", "PT10M"},
    {"FIFTEEN_MINUTE", "PT15M"},
    {"THIRTY_MINUTE", "PT30M"},
    {"HOUR", "PT1H"},
    {"SIX_HOUR", "PT6H"},
    {"EIGHT_HOUR", "PT8H"},
    {"DAY", "P1D"},
    {"WEEK", "P1W"},
    {"MONTH", "P1M"},
    {"QUARTER", "P3M"},
    {"YEAR", "P1Y"},
    {"ALL", nullptr},
}};

// Joda's week-based buckets are aligned to Mondays; 1970-01-05 was a Monday.
constexpr utc_time monday_origin{millis{4LL * 86400000LL}};

// ALL: one bucket wide enough for any event and printable as ISO 8601.
const utc_time all_start = utc_time{millis{-62135596800000LL}};  // 0001-01-01
const utc_time all_end = utc_time{millis{253402300799999LL}};  // 9999-12-31T23:59:59.999

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

caf::expected<granularity> parse_granularity_name(std::string_view name) {
  std::string upper{name};
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const auto& n : names) {
    if (upper != n.name) continue;
    granularity g;
    g.name = n.name;
    if (upper == "NONE") {
      g.k = granularity::kind::none;
    } else if (upper == "ALL") {
      g.k = granularity::kind::all;
    } else {
      g.k = granularity::kind::period;
      g.period = *parse_period(n.period);
      if (g.period.weeks != 0) g.origin = monday_origin;
    }
    return g;
  }
  return make_error(
      errc::invalid_input,
      "unknown granularity '" + std::string{name} +
          "' (expected NONE, SECOND, MINUTE, FIVE_MINUTE, TEN_MINUTE, "
          "FIFTEEN_MINUTE, THIRTY_MINUTE, HOUR, SIX_HOUR, EIGHT_HOUR, DAY, WEEK, "
          "MONTH, QUARTER, YEAR, ALL or a period/duration object)");
}

caf::expected<granularity> parse_granularity(const json& x) {
  if (x.is_string()) return parse_granularity_name(x.as_string());
  if (!x.is_object())
    return make_error(errc::invalid_input, "must be a granularity name or object");
  const json* type = x.find("type");
  if (!type || !type->is_string())
    return make_error(errc::invalid_input, "granularity object needs a \"type\"");
  granularity g;
  g.object = x;
  if (const json* origin = x.find("origin"); origin && !origin->is_null()) {
    if (!origin->is_string())
      return make_error(errc::invalid_input,
                        "granularity origin must be a date-time string");
    auto t = parse_utc_time(origin->as_string());
    if (!t) return t.error();
    g.origin = *t;
  }
  if (const json* tz = x.find("timeZone"); tz && !tz->is_null()) {
    if (!tz->is_string() || (tz->as_string() != "UTC" && tz->as_string() != "Etc/UTC"))
      return make_error(errc::invalid_input, "only the UTC time zone is supported");
  }
  const auto& t = type->as_string();
  if (t == "period") {
    const json* p = x.find("period");
    if (!p || !p->is_string())
      return make_error(errc::invalid_input, "period granularity needs a \"period\"");
    auto period = parse_period(p->as_string());
    if (!period) return period.error();
    if (*period == iso_period{})
      return make_error(errc::invalid_input, "granularity period must not be empty");
    g.k = granularity::kind::period;
    g.period = *period;
    if (!x.find("origin") && g.period.weeks != 0) g.origin = monday_origin;
    return g;
  }
  if (t == "duration") {
    const json* d = x.find("duration");
    if (!d || !d->is_int() || d->as_int() <= 0)
      return make_error(errc::invalid_input,
                        "duration granularity needs a positive \"duration\" in ms");
    g.k = granularity::kind::duration;
    g.duration_ms = d->as_int();
    return g;
  }
  if (t == "none") return parse_granularity_name("NONE");
  if (t == "all") return parse_granularity_name("ALL");
  return make_error(errc::invalid_input, "unknown granularity type '" + t + "'");
}

utc_time granularity::bucket_start(utc_time t) const {
  switch (k) {
    case kind::none:
      return t;
    case kind::all:
      return all_start;
    case kind::duration: {
      auto rel = (t - origin).count();
      return origin + millis{floor_div(rel, duration_ms) * duration_ms};
    }
    case kind::period: {
      if (period.is_fixed()) {
        auto len = period.to_millis().count();
        auto rel = (t - origin).count();
        return origin + millis{floor_div(rel, len) * len};
      }
      // Month/year based: count whole months from the origin's month.
      auto months_per = period.years * 12 + period.months;
      auto oday = date::year_month_day{date::floor<date::days>(origin)};
      auto tday = date::year_month_day{date::floor<date::days>(t)};
      int64_t o = int64_t{int(oday.year())} * 12 + unsigned(oday.month()) - 1;
      int64_t m = int64_t{int(tday.year())} * 12 + unsigned(tday.month()) - 1;
      int64_t n = floor_div(m - o, months_per) * months_per;
      iso_period step;
      step.months = n;
      // Bucket start = origin + n months; step back one bucket if past t.
      auto start = step.add_to(origin);
      if (start > t) {
        step.months -= months_per;
        start = step.add_to(origin);
      }
      return start;
    }
  }
  return t;
}

utc_time granularity::next(utc_time start) const {
  switch (k) {
    case kind::none:
      return start + millis{1};
    case kind::all:
      return all_end;
    case kind::duration:
      return start + millis{duration_ms};
    case kind::period:
      return period.add_to(start);
  }
  return start;
}

int64_t granularity::approximate_millis() const {
  switch (k) {
    case kind::none:
      return 1;
    case kind::all:
      return std::numeric_limits<int64_t>::max();
    case kind::duration:
      return duration_ms;
    case kind::period: {
      iso_period fixed = period;
      fixed.years = fixed.months = 0;
      return fixed.to_millis().count() + period.years * 365LL * 86400000LL +
             period.months * 30LL * 86400000LL;
    }
  }
  return 0;
}

json granularity::to_json() const {
  if (!name.empty()) return json{name};
  return object;
}

}  // namespace sv::core
