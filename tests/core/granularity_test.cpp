#include "core/granularity.hpp"

#include <doctest/doctest.h>

using namespace sv::core;

namespace {
std::string bucket(const char* g, const char* t) {
  return format_utc_time(parse_granularity_name(g)->bucket_start(*parse_utc_time(t)));
}
}  // namespace

TEST_CASE("named granularities bucket in UTC") {
  CHECK(bucket("HOUR", "2024-03-10T17:45:12.345Z") == "2024-03-10T17:00:00.000Z");
  CHECK(bucket("hour", "2024-03-10T17:45:12.345Z") == "2024-03-10T17:00:00.000Z");
  CHECK(bucket("FIFTEEN_MINUTE", "2024-03-10T17:45:12Z") == "2024-03-10T17:45:00.000Z");
  CHECK(bucket("SIX_HOUR", "2024-03-10T17:45:12Z") == "2024-03-10T12:00:00.000Z");
  CHECK(bucket("DAY", "2024-03-10T17:45:12Z") == "2024-03-10T00:00:00.000Z");
  CHECK(bucket("WEEK", "2024-03-10T17:45:12Z") == "2024-03-04T00:00:00.000Z");  // Monday
  CHECK(bucket("MONTH", "2024-03-10T17:45:12Z") == "2024-03-01T00:00:00.000Z");
  CHECK(bucket("QUARTER", "2024-05-10T17:45:12Z") == "2024-04-01T00:00:00.000Z");
  CHECK(bucket("YEAR", "2024-05-10T17:45:12Z") == "2024-01-01T00:00:00.000Z");
  CHECK(bucket("NONE", "2024-05-10T17:45:12.345Z") == "2024-05-10T17:45:12.345Z");
  CHECK(bucket("DAY", "1969-12-31T23:00:00Z") == "1969-12-31T00:00:00.000Z");
}

TEST_CASE("next bucket follows the calendar") {
  auto month = *parse_granularity_name("MONTH");
  CHECK(format_utc_time(month.next(*parse_utc_time("2024-01-01"))) ==
        "2024-02-01T00:00:00.000Z");
  auto day = *parse_granularity_name("DAY");
  CHECK(format_utc_time(day.next(*parse_utc_time("2024-02-28"))) ==
        "2024-02-29T00:00:00.000Z");
}

TEST_CASE("granularity objects: period and duration") {
  auto p = parse_granularity(*json::parse(R"({"type":"period","period":"PT2H"})"));
  REQUIRE(p);
  CHECK(format_utc_time(p->bucket_start(*parse_utc_time("2024-01-01T05:30Z"))) ==
        "2024-01-01T04:00:00.000Z");
  CHECK(p->to_json().dump() == R"({"type":"period","period":"PT2H"})");
  auto d = parse_granularity(*json::parse(R"({"type":"duration","duration":60000})"));
  REQUIRE(d);
  CHECK(format_utc_time(d->bucket_start(*parse_utc_time("2024-01-01T05:30:59Z"))) ==
        "2024-01-01T05:30:00.000Z");
}

TEST_CASE("unknown granularities are rejected") {
  CHECK_FALSE(parse_granularity_name("FORTNIGHT"));
  CHECK_FALSE(parse_granularity(*json::parse(R"({"type":"period"})")));
  CHECK_FALSE(parse_granularity(*json::parse(R"({"type":"duration","duration":-5})")));
  CHECK_FALSE(parse_granularity(json{3}));
}
