#include "core/event_generator.hpp"

#include <set>

#include <doctest/doctest.h>

#include "core/json.hpp"

using namespace sv::core;

TEST_CASE("generated events are valid JSON of about 300 bytes with unique ids") {
  event_generator g{"run1", 42};
  auto ts = *parse_utc_time("2026-01-01T00:00:00Z");
  std::set<std::string> ids;
  size_t total = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string e;
    g.next(e, ts);
    total += e.size();
    auto j = json::parse(e);
    REQUIRE(j);
    CHECK(j->find("timestamp")->as_string() == "2026-01-01T00:00:00.000Z");
    CHECK(ids.insert(j->find("id")->as_string()).second);
    CHECK(j->find("delta")->as_int() ==
          j->find("added")->as_int() - j->find("deleted")->as_int());
    for (const char* dim : {"page", "user", "country", "cityName", "language", "channel",
                            "namespace", "isRobot", "isNew", "isAnonymous"})
      CHECK(j->find(dim) != nullptr);
  }
  CHECK(*ids.begin() == "run1-000000000000");
  auto avg = total / 1000;
  CHECK(avg > 250);
  CHECK(avg < 380);
  CHECK(g.sequence() == 1000);
}

TEST_CASE("the same seed gives the same events") {
  event_generator a{"r", 7}, b{"r", 7};
  auto ts = utc_now();
  std::string x, y;
  for (int i = 0; i < 10; ++i) {
    a.next(x, ts);
    b.next(y, ts);
  }
  CHECK(x == y);
}
