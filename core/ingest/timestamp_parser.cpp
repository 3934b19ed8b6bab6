#include "core/ingest/timestamp_parser.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include <date/date.h>

#include "core/errc.hpp"

namespace sv::core::ingest {

namespace {

caf::error bad(std::string msg) {
  return make_error(errc::invalid_input, std::move(msg));
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
[[gnu::always_inline]] inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The two digits at p as a number, or 100 when they are not two digits.
[[gnu::always_inline]] inline unsigned two_digits(const char* p) {
  unsigned a = static_cast<unsigned char>(p[0]) - '0';
  unsigned b = static_cast<unsigned char>(p[1]) - '0';
  return a > 9 || b > 9 ? 100u : a * 10 + b;
}

}  // namespace

std::optional<utc_time> timestamp_parser::parse_iso_fast(std::string_view s) {
  // The usual layout first, at fixed places: "YYYY-MM-DDTHH:MM:SS", no
  // fraction or ".f" to ".fffffffff", then "Z".
  if (s.size() >= 20 && s.back() == 'Z' && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
      s[13] == ':' && s[16] == ':' && (s.size() == 20 || s[19] == '.')) {
    const char* p = s.data();
    unsigned c = two_digits(p), yy = two_digits(p + 2), mo = two_digits(p + 5),
             d = two_digits(p + 8), h = two_digits(p + 11), mi = two_digits(p + 14),
             sec = two_digits(p + 17);
    bool ok = c < 100 && yy < 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
              h <= 23 && mi <= 59 && sec <= 60 && s.size() != 21;
    unsigned ms = 0, scale = 100;
    for (size_t i = 20; ok && i + 1 < s.size(); ++i) {
      unsigned digit = static_cast<unsigned char>(p[i]) - '0';
      ok = digit <= 9;
      ms += digit * scale;
      scale /= 10;
    }
    if (ok) {
      int64_t days = days_from_civil(c * 100 + yy, mo, d);
      int64_t t = ((days * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL + ms;
      return utc_time{millis{t}};
    }
  }
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d))
    return std::nullopt;
  size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2, h)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, mi)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') {
        if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
          ++pos;
          int scale = 100;
          while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            ms += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
          }
        }
      }
    }
  }
  int offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh = 0, om = 0;
      bool neg = s[pos] == '-';
      if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size()) {
        if (!digits(s, pos, 2, om)) return std::nullopt;
        pos += 2;
      }
      offset_min = (oh * 60 + om) * (neg ? -1 : 1);
    }
  }
  if (pos != s.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60)
    return std::nullopt;
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t t = ((days * 24 + h) * 60 + mi - offset_min) * 60000LL + sec * 1000LL + ms;
  return utc_time{millis{t}};
}

caf::expected<timestamp_parser> timestamp_parser::make(const std::string& format,
                                                       std::optional<utc_time> missing) {
  timestamp_parser p;
  p.missing_ = missing;
  if (format == "auto")
    p.k_ = kind::automatic;
  else if (format == "iso")
    p.k_ = kind::iso;
  else if (format == "millis")
    p.k_ = kind::millis;
  else if (format == "posix")
    p.k_ = kind::posix;
  else if (format == "micro")
    p.k_ = kind::micro;
  else if (format == "nano")
    p.k_ = kind::nano;
  else if (format == "ruby")
    p.k_ = kind::ruby;
  else {
    auto pattern = joda_to_strptime(format);
    if (!pattern) return pattern.error();
    p.k_ = kind::pattern;
    p.pattern_ = std::move(*pattern);
  }
  return p;
}

caf::expected<utc_time> timestamp_parser::from_number(double v,
                                                      std::string_view text) const {
  double ms = 0;
  switch (k_) {
    case kind::automatic:
    case kind::millis:
      ms = v;
      break;
    case kind::posix:
    case kind::ruby:
      ms = v * 1000.0;
      break;
    case kind::micro:
      ms = v / 1000.0;
      break;
    case kind::nano:
      ms = v / 1000000.0;
      break;
    default:
      return from_text(text);
  }
  if (!std::isfinite(ms) || std::fabs(ms) > 9.0e15)
    return bad("timestamp " + std::string{text} + " is out of range");
  return utc_time{millis{static_cast<int64_t>(std::floor(ms))}};
}

caf::expected<utc_time> timestamp_parser::from_text(std::string_view s) const {
  switch (k_) {
    case kind::automatic:
    case kind::iso: {
      if (auto t = parse_iso_fast(s)) return *t;
      if (k_ == kind::automatic) {
        double v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc{} && p == s.data() + s.size()) return from_number(v, s);
      }
      auto t = parse_utc_time(s);
      if (t) return *t;
      return bad("could not parse timestamp '" + std::string{s} + "'");
    }
    case kind::pattern: {
      std::istringstream in{std::string{s}};
      date::sys_time<millis> tp{};
      in >> date::parse(pattern_, tp);
      if (in.fail())
        return bad("timestamp '" + std::string{s} + "' does not match the pattern");
      return utc_time{tp.time_since_epoch()};
    }
    default: {
      double v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || p != s.data() + s.size())
        return bad("timestamp '" + std::string{s} + "' is not a number");
      return from_number(v, s);
    }
  }
}

caf::expected<utc_time> timestamp_parser::parse(const raw_value& v) const {
  switch (v.kind) {
    case value_kind::absent:
    case value_kind::null:
      if (missing_) return *missing_;
      return bad("missing timestamp");
    case value_kind::integer:
      return from_number(static_cast<double>(v.integer), v.text);
    case value_kind::real:
      return from_number(v.real, v.text);
    case value_kind::string:
      return from_text(v.text);
    default:
      return bad("timestamp must be a string or a number");
  }
}

caf::expected<std::string> joda_to_strptime(const std::string& joda) {
  std::string out;
  size_t i = 0;
  while (i < joda.size()) {
    char c = joda[i];
    if (c == '\'') {  // quoted literal; '' is a single quote
      size_t j = i + 1;
      if (j < joda.size() && joda[j] == '\'') {
        out += '\'';
        i = j + 1;
        continue;
      }
      for (; j < joda.size() && joda[j] != '\''; ++j)
        out += joda[j] == '%' ? "%%" : std::string(1, joda[j]);
      i = j + 1;
      continue;
    }

    size_t n = 1;
    while (i + n < joda.size() && joda[i + n] == c) ++n;
    std::string spec;
    switch (c) {
      case 'y':
      case 'Y':
      case 'x':
        spec = n == 2 ? "%y" : "%Y";
        break;
      case 'M':
        spec = n >= 4 ? "%B" : n == 3 ? "%b" : "%m";
        break;
      case 'd':
        spec = "%d";
        break;
      case 'D':
        spec = "%j";
        break;
      case 'H':
      case 'k':
        spec = "%H";
        break;
      case 'h':
      case 'K':
        spec = "%I";
        break;
      case 'm':
        spec = "%M";
        break;
      case 's':
        spec = "%S";
        break;
      case 'S':
        spec.clear();
        break;  // fraction: consumed by %S below
      case 'a':
        spec = "%p";
        break;
      case 'E':
        spec = n >= 4 ? "%A" : "%a";
        break;
      case 'Z':
        spec = n >= 2 ? "%Ez" : "%z";
        break;
      case 'z':
        spec = "%Z";
        break;
      default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
          return bad(std::string{"unsupported pattern letter '"} + c +
                     "' in timestamp format");
        spec = c == '%' ? "%%" : std::string(n, c);
    }
    // "ss.SSS": date::parse's %S reads the fraction itself, so drop ".SSS".
    if (c == 'S' && !out.empty() && (out.back() == '.' || out.back() == ','))
      out.pop_back();
    out += spec;
    i += n;
  }
  return out;
}

}  // namespace sv::core::ingest
