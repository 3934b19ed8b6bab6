#include "core/time.hpp"

#include <doctest/doctest.h>

#include "core/errc.hpp"

using namespace sv::core;

TEST_CASE("periods parse into their fields and print back as written") {
  auto p = parse_period("PT1H");
  REQUIRE(p);
  CHECK(p->hours == 1);
  CHECK(p->to_millis() == std::chrono::hours{1});
  CHECK(format_period(*p) == "PT1H");
  CHECK(format_period(*parse_period("PT60M")) == "PT60M");
  CHECK(format_period(*parse_period("P1D")) == "P1D");
  CHECK(format_period(*parse_period("P1Y2M3W4DT5H6M7.5S")) == "P1Y2M3W4DT5H6M7.5S");
  CHECK(parse_period("PT0.25S")->second_millis == 250);
  CHECK(parse_period("P2147483647D")->to_millis().count() == 2147483647LL * 86400000LL);
}

TEST_CASE("malformed periods are rejected with the reason") {
  for (const char* bad : {"1H", "PT", "P", "PT1", "PTH", "P1H", "PT1D", "PT1H1H",
                          "PT1M1H", "P-1D", "PT1.5H", "PT1.1234S", "hourly",
                          // fractions that are no number (found by fuzz/spec_fuzz)
                          "PT1..S", "PT1.5.5S", "PT1,,S", "PT999999111111111..S"}) {
    CAPTURE(bad);
    auto p = parse_period(bad);
    REQUIRE_FALSE(p);
    CHECK(error_message(p.error()).find("invalid ISO 8601 period") != std::string::npos);
  }
}

TEST_CASE("periods with months add with calendar rules") {
  auto jan31 = *parse_utc_time("2024-01-31T10:00:00Z");
  CHECK(format_utc_time(parse_period("P1M")->add_to(jan31)) ==
        "2024-02-29T10:00:00.000Z");
  CHECK(format_utc_time(parse_period("P1Y")->add_to(jan31)) ==
        "2025-01-31T10:00:00.000Z");
  CHECK(format_utc_time(parse_period("P1DT1H")->add_to(jan31)) ==
        "2024-02-01T11:00:00.000Z");
}

TEST_CASE("date-times parse in Druid's accepted forms") {
  CHECK(format_utc_time(*parse_utc_time("2016-01-01")) == "2016-01-01T00:00:00.000Z");
  CHECK(format_utc_time(*parse_utc_time("2016-01-01T11:00Z")) ==
        "2016-01-01T11:00:00.000Z");
  CHECK(format_utc_time(*parse_utc_time("2016-01-01T11:00:00.123Z")) ==
        "2016-01-01T11:00:00.123Z");
  CHECK(format_utc_time(*parse_utc_time("2016-01-01T11:00:00+02:00")) ==
        "2016-01-01T09:00:00.000Z");
  CHECK(format_utc_time(*parse_utc_time("2016-01-01T11:00:00-0530")) ==
        "2016-01-01T16:30:00.000Z");
  CHECK(format_utc_time(*parse_utc_time("2016-01-01T11")) == "2016-01-01T11:00:00.000Z");
  CHECK(parse_utc_time("2016-01-01T11:00:00")->time_since_epoch().count() ==
        1451646000000LL);
}

TEST_CASE("malformed date-times are rejected") {
  for (const char* bad :
       {"", "yesterday", "2016-13-01", "2016-01-01T25:00", "2016-01-01T11:00+2",
        "2016/01/01",
        // A seconds field that is no number (found by fuzz/record_fuzz).
        "2026-01-01T10:00:\xa8"
        "00Z",
        "2026-01-01T10:00:x", "2026-01-01T10::00", "2026-01-01T",
        "2026-01-01T10:00:00:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_utc_time(bad));
  }
}
