#include <doctest/doctest.h>

#include "core/ingest/timestamp_parser.hpp"
#include "core/time.hpp"

using namespace sv;
using namespace sv::core;
using namespace sv::core::ingest;

TEST_CASE(
    "timestamp formats: auto, iso, millis, posix, micro, nano, ruby, Joda pattern") {
  auto parse = [](const char* format, raw_value v) {
    auto p = timestamp_parser::make(format, std::nullopt);
    REQUIRE(p);
    return p->parse(v);
  };
  auto str = [](std::string_view s) {
    raw_value v;
    v.kind = value_kind::string;
    v.text = s;
    return v;
  };
  auto num = [](int64_t n, std::string_view text) {
    raw_value v;
    v.kind = value_kind::integer;
    v.integer = n;
    v.text = text;
    return v;
  };
  CHECK(format_utc_time(*parse("iso", str("2026-03-04T05:06:07.089Z"))) ==
        "2026-03-04T05:06:07.089Z");
  CHECK(format_utc_time(*parse("iso", str("2026-03-04 05:06:07"))) ==
        "2026-03-04T05:06:07.000Z");
  CHECK(format_utc_time(*parse("iso", str("2026-03-04T05:06:07+02:00"))) ==
        "2026-03-04T03:06:07.000Z");
  CHECK(format_utc_time(*parse("auto", str("2026-03-04T05:06"))) ==
        "2026-03-04T05:06:00.000Z");
  CHECK(format_utc_time(*parse("auto", num(1767225600123, "1767225600123"))) ==
        "2026-01-01T00:00:00.123Z");
  CHECK(format_utc_time(*parse("auto", str("1767225600123"))) ==
        "2026-01-01T00:00:00.123Z");
  CHECK(format_utc_time(*parse("millis", num(1767225600123, "1767225600123"))) ==
        "2026-01-01T00:00:00.123Z");
  CHECK(format_utc_time(*parse("posix", num(1767225600, "1767225600"))) ==
        "2026-01-01T00:00:00.000Z");
  CHECK(format_utc_time(*parse("micro", str("1767225600123456"))) ==
        "2026-01-01T00:00:00.123Z");
  CHECK(format_utc_time(*parse("nano", str("1767225600123456789"))) ==
        "2026-01-01T00:00:00.123Z");
  raw_value ruby;
  ruby.kind = value_kind::real;
  ruby.real = 1767225600.5;
  ruby.text = "1767225600.5";
  CHECK(format_utc_time(*parse("ruby", ruby)) == "2026-01-01T00:00:00.500Z");
  CHECK(format_utc_time(*parse("yyyy-MM-dd HH:mm:ss", str("2026-01-02 03:04:05"))) ==
        "2026-01-02T03:04:05.000Z");
  CHECK(format_utc_time(
            *parse("dd/MM/yyyy'T'HH:mm:ss.SSS", str("02/01/2026T03:04:05.678"))) ==
        "2026-01-02T03:04:05.678Z");
  CHECK_FALSE(parse("iso", str("yesterday")));
  CHECK_FALSE(parse("millis", str("abc")));
  CHECK_FALSE(parse("yyyy-MM-dd", str("2026/01/02")));
  CHECK_FALSE(parse("auto", raw_value{}));
  auto with_missing = timestamp_parser::make("iso", *parse_utc_time("2020-01-01"));
  CHECK(format_utc_time(*with_missing->parse(raw_value{})) == "2020-01-01T00:00:00.000Z");
  CHECK_FALSE(timestamp_parser::make("qqq", std::nullopt));
}

TEST_CASE("iso timestamps in the usual layout read as the calendar says, bad ones not") {
  using namespace std::chrono;
  uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift
  auto next = [&] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  char buf[64];
  for (int i = 0; i < 20000; ++i) {
    int y = 1000 + static_cast<int>(next() % 2000),
        mo = 1 + static_cast<int>(next() % 12), d = 1 + static_cast<int>(next() % 28),
        h = static_cast<int>(next() % 24), mi = static_cast<int>(next() % 60),
        sec = static_cast<int>(next() % 60);
    int digits = static_cast<int>(next() % 10);  // 0: no fraction
    std::string fraction;
    for (int k = 0; k < digits; ++k) fraction += static_cast<char>('0' + next() % 10);
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s%sZ", y, mo, d, h, mi,
                  sec, digits ? "." : "", fraction.c_str());
    std::string text = buf;
    CAPTURE(text);
    int64_t ms = 0;
    for (int k = 0; k < 3; ++k)
      ms = ms * 10 + (k < digits ? fraction[static_cast<size_t>(k)] - '0' : 0);
    auto want = sys_days{year{y} / month{static_cast<unsigned>(mo)} /
                         day{static_cast<unsigned>(d)}} +
                hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms};
    auto got = timestamp_parser::parse_iso_fast(text);
    REQUIRE(got);
    CHECK(got->time_since_epoch().count() ==
          duration_cast<milliseconds>(want.time_since_epoch()).count());
    // A letter in place of any digit, or a field out of range, is no time.
    auto bad = text;
    size_t at = next() % (bad.size() - 1);
    if (bad[at] >= '0' && bad[at] <= '9') {
      bad[at] = 'x';
      CHECK_FALSE(timestamp_parser::parse_iso_fast(bad));
    }
    for (auto [pos, value] :
         {std::pair{5, "13"}, {8, "32"}, {11, "24"}, {14, "60"}, {5, "00"}}) {
      bad = text;
      bad.replace(static_cast<size_t>(pos), 2, value);
      CAPTURE(bad);
      CHECK_FALSE(timestamp_parser::parse_iso_fast(bad));
    }
  }
}
