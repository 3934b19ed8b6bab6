#include "core/time.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <sstream>

#include <date/date.h>

#include "core/errc.hpp"

namespace sv::core {

utc_time utc_now() {
  return std::chrono::time_point_cast<millis>(std::chrono::system_clock::now());
}

namespace {

caf::error bad_time(std::string_view text, std::string_view why) {
  return make_error(
      errc::invalid_input,
      "invalid ISO 8601 date-time '" + std::string{text} + "': " + std::string{why});
}

// Splits a trailing zone designator ("Z", "+02:00", "-0530", "+02") from text.
bool split_zone(std::string_view& text, std::chrono::minutes& offset) {
  offset = std::chrono::minutes{0};
  if (text.empty()) return true;
  if (text.back() == 'Z' || text.back() == 'z') {
    text.remove_suffix(1);
    return true;
  }
  auto t = text.find('T');
  if (t == std::string_view::npos) return true;  // date only
  auto pos = text.find_last_of("+-");
  if (pos == std::string_view::npos || pos < t) return true;
  auto zone = text.substr(pos + 1);
  int hh = 0, mm = 0;
  std::string digits;
  for (char c : zone)
    if (c != ':') digits += c;
  if (digits.size() != 2 && digits.size() != 4) return false;
  for (char c : digits)
    if (c < '0' || c > '9') return false;
  hh = std::stoi(digits.substr(0, 2));
  if (digits.size() == 4) mm = std::stoi(digits.substr(2, 2));
  if (hh > 23 || mm > 59) return false;
  offset = std::chrono::minutes{hh * 60 + mm};
  if (text[pos] == '-') offset = -offset;
  text = text.substr(0, pos);
  return true;
}

// The time of day after 'T': up to three ':'-separated fields, each starting
// with a digit, the last with an optional fraction. Checked before
// date::parse, which rounds an unread seconds field (NaN) to an integer.
bool time_of_day_well_formed(std::string_view body) {
  auto t = body.find_first_of("Tt");
  if (t == std::string_view::npos) return true;
  auto rest = body.substr(t + 1);
  int fields = 0;
  while (true) {
    if (rest.empty() || rest.front() < '0' || rest.front() > '9') return false;
    if (++fields > 3) return false;
    auto colon = rest.find(':');
    auto field = rest.substr(0, colon);
    for (char c : field)
      if ((c < '0' || c > '9') && c != '.') return false;
    if (colon == std::string_view::npos) return true;
    rest = rest.substr(colon + 1);
  }
}

}  // namespace

caf::expected<utc_time> parse_utc_time(std::string_view text) {
  std::string_view body = text;
  while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
  while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
  if (body.empty()) return bad_time(text, "empty");
  std::chrono::minutes offset;
  if (!split_zone(body, offset)) return bad_time(text, "bad zone offset");
  if (!time_of_day_well_formed(body)) return bad_time(text, "bad time of day");
  // Formats tried in order; date::parse must consume the whole input.
  static constexpr std::array<const char*, 4> formats = {
      "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H", "%Y-%m-%d"};
  for (const char* fmt : formats) {
    std::istringstream in{std::string{body}};
    date::sys_time<millis> tp{};
    in >> date::parse(fmt, tp);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      return utc_time{tp.time_since_epoch()} - offset;
    }
  }
  return bad_time(text, "expected yyyy-MM-dd['T'HH[:mm[:ss[.SSS]]]][Z|+hh:mm]");
}

std::string format_utc_time(utc_time t) {
  return date::format("%FT%TZ", date::sys_time<millis>{t.time_since_epoch()});
}

millis iso_period::to_millis() const {
  using namespace std::chrono;
  return millis{((weeks * 7 + days) * 24 + hours) * 3600000LL + minutes * 60000LL +
                second_millis};
}

utc_time iso_period::add_to(utc_time t) const {
  if (years != 0 || months != 0) {
    auto day = date::floor<date::days>(t);
    auto tod = t - day;
    date::year_month_day ymd{day};
    ymd += date::months{years * 12 + months};
    // Joda clamps the day of month (Jan 31 + P1M = Feb 28/29).
    if (!ymd.ok()) ymd = ymd.year() / ymd.month() / date::last;
    t = utc_time{date::sys_days{ymd}.time_since_epoch() + tod};
  }
  iso_period rest = *this;
  rest.years = rest.months = 0;
  return t + rest.to_millis();
}

namespace {

caf::error bad_period(std::string_view text, std::string_view why) {
  return make_error(errc::invalid_input, "invalid ISO 8601 period '" + std::string{text} +
                                             "': " + std::string{why});
}

}  // namespace

caf::expected<iso_period> parse_period(std::string_view text) {
  iso_period p;
  if (text.size() < 2 || (text[0] != 'P' && text[0] != 'p'))
    return bad_period(text, "must start with 'P', e.g. PT1H or P1D");
  bool in_time = false;
  bool any = false;
  // Order of designators, to reject "PT1H1Y" and repeats.
  int last_rank = -1;
  size_t i = 1;
  while (i < text.size()) {
    char c = text[i];
    if (c == 'T' || c == 't') {
      if (in_time) return bad_period(text, "repeated 'T'");
      in_time = true;
      ++i;
      if (i == text.size())
        return bad_period(text, "'T' without hours, minutes or seconds");
      continue;
    }
    size_t start = i;
    while (i < text.size() &&
           ((text[i] >= '0' && text[i] <= '9') || text[i] == '.' || text[i] == ','))
      ++i;
    if (start == i) {
      if (c == '-') return bad_period(text, "negative values are not allowed");
      return bad_period(text, std::string{"unexpected '"} + c + "'");
    }
    if (i == text.size()) return bad_period(text, "number without a designator");
    std::string num{text.substr(start, i - start)};
    for (auto& ch : num)
      if (ch == ',') ch = '.';
    char d = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
    ++i;
    int rank = 0;
    if (!in_time) {
      switch (d) {
        case 'Y':
          rank = 0;
          break;
        case 'M':
          rank = 1;
          break;
        case 'W':
          rank = 2;
          break;
        case 'D':
          rank = 3;
          break;
        default:
          return bad_period(text, std::string{"unknown date designator '"} + d + "'");
      }
    } else {
      switch (d) {
        case 'H':
          rank = 4;
          break;
        case 'M':
          rank = 5;
          break;
        case 'S':
          rank = 6;
          break;
        default:
          return bad_period(text, std::string{"unknown time designator '"} + d + "'");
      }
    }
    if (rank <= last_rank)
      return bad_period(text, "designators out of order or repeated");
    last_rank = rank;
    auto dot = num.find('.');
    if (dot != std::string::npos && d != 'S')
      return bad_period(text, "fractions are only allowed in seconds");
    int64_t whole = 0;
    auto int_part = num.substr(0, dot);
    if (int_part.empty()) return bad_period(text, "missing digits");
    auto [ptr, ec] =
        std::from_chars(int_part.data(), int_part.data() + int_part.size(), whole);
    if (ec != std::errc{} || ptr != int_part.data() + int_part.size())
      return bad_period(text, "number out of range");
    any = true;
    switch (rank) {
      case 0:
        p.years = whole;
        break;
      case 1:
        p.months = whole;
        break;
      case 2:
        p.weeks = whole;
        break;
      case 3:
        p.days = whole;
        break;
      case 4:
        p.hours = whole;
        break;
      case 5:
        p.minutes = whole;
        break;
      case 6: {
        int64_t frac_ms = 0;
        if (dot != std::string::npos) {
          auto frac = num.substr(dot + 1);
          if (frac.size() > 3) return bad_period(text, "at most millisecond precision");
          while (frac.size() < 3) frac += '0';
          auto [fp, fec] =
              std::from_chars(frac.data(), frac.data() + frac.size(), frac_ms);
          if (fec != std::errc{} || fp != frac.data() + frac.size() || frac[0] == '-')
            return bad_period(text, "malformed fraction of a second");
        }
        if (whole > std::numeric_limits<int64_t>::max() / 1000)
          return bad_period(text, "number out of range");
        p.second_millis = whole * 1000 + frac_ms;
        break;
      }
    }
  }
  if (!any) return bad_period(text, "no fields");
  // The fixed part must fit in int64 milliseconds (P2147483647D is Druid's "forever").
  __int128 total = (static_cast<__int128>(p.weeks) * 7 + p.days) * 86400000 +
                   static_cast<__int128>(p.hours) * 3600000 +
                   static_cast<__int128>(p.minutes) * 60000 + p.second_millis;
  if (total > std::numeric_limits<int64_t>::max() || p.years > 100000 ||
      p.months > 1200000)
    return bad_period(text, "too long");
  return p;
}

std::string format_period(const iso_period& p) {
  std::string out = "P";
  auto put = [&](int64_t v, char d) {
    if (v != 0) out += std::to_string(v) + d;
  };
  put(p.years, 'Y');
  put(p.months, 'M');
  put(p.weeks, 'W');
  put(p.days, 'D');
  if (p.hours != 0 || p.minutes != 0 || p.second_millis != 0) {
    out += 'T';
    put(p.hours, 'H');
    put(p.minutes, 'M');
    if (p.second_millis != 0) {
      out += std::to_string(p.second_millis / 1000);
      if (p.second_millis % 1000 != 0) {
        auto frac = std::to_string(1000 + p.second_millis % 1000).substr(1);
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        out += '.' + frac;
      }
      out += 'S';
    }
  }
  if (out == "P") out = "PT0S";
  return out;
}

iso_period period_from_millis(int64_t ms) {
  iso_period p;
  p.hours = ms / 3600000;
  ms %= 3600000;
  p.minutes = ms / 60000;
  p.second_millis = ms % 60000;
  return p;
}

}  // namespace sv::core
