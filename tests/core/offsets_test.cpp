#include "core/offsets.hpp"

#include <doctest/doctest.h>

using namespace sv::core;

TEST_CASE("partition ids order naturally") {
  partition_less less;
  CHECK(less("2", "10"));
  CHECK_FALSE(less("10", "2"));
  CHECK(less("t:2", "t:10"));
  CHECK(less("a:10", "b:2"));
  CHECK(less("shardId-000000000001", "shardId-000000000002"));
  CHECK_FALSE(less("5", "5"));
  offset_map m{{"10", 1}, {"2", 2}, {"1", 3}};
  CHECK(to_json(m).dump() == R"({"1":3,"2":2,"10":1})");
}

TEST_CASE("committed offsets use Druid's payload shape and round-trip") {
  committed_offsets c{"kafka", "events", {{"0", 12}, {"1", 40}}, std::nullopt, {}};
  auto j = to_json(c);
  CHECK(
      j.dump() ==
      R"({"type":"kafka","partitions":{"type":"end","stream":"events","partitionOffsetMap":{"0":12,"1":40},"topic":"events"},"boundedStreamConfig":null})");
  auto back = committed_offsets_from_json(j);
  REQUIRE(back);
  CHECK(*back == c);
  c.bounded = bounded_range{{{"0", 1}}, {{"0", 9}}};
  auto back2 = committed_offsets_from_json(to_json(c));
  REQUIRE(back2);
  CHECK(*back2 == c);
}

TEST_CASE("offset maps accept numeric strings and reject garbage") {
  auto m = offset_map_from_json(*json::parse(R"({"0": "17", "1": 4})"));
  REQUIRE(m);
  CHECK(m->at("0") == 17);
  CHECK_FALSE(offset_map_from_json(*json::parse(R"({"0": "x"})")));
  CHECK_FALSE(offset_map_from_json(*json::parse(R"({"0": true})")));
  auto real = offset_map_from_json(*json::parse(R"({"0": 4.0})"));
  REQUIRE(real);
  CHECK(real->at("0") == 4);
  // Reals that name no int64 are refused, not converted (found by fuzz/offsets_fuzz).
  CHECK_FALSE(offset_map_from_json(*json::parse(R"({"0": 4.5})")));
  CHECK_FALSE(offset_map_from_json(*json::parse(R"({"0": 1e300})")));
  CHECK_FALSE(offset_map_from_json(*json::parse(R"({"0": -9.3e18})")));
  CHECK_FALSE(offset_map_from_json(*json::parse(
      R"({"0": 7777777777777777777777777777777777777777777777777777777713})")));
}

TEST_CASE("plus overrides the given partitions only (Druid's example)") {
  offset_map stored{{"0", 0}, {"1", 10}, {"2", 20}, {"3", 40}};
  offset_map given{{"0", 100}, {"2", 650}};
  CHECK(plus(stored, given) == offset_map{{"0", 100}, {"1", 10}, {"2", 650}, {"3", 40}});
}

namespace {
// A publish check of a range starting (and, for these cases, ending) at `start`.
publish_outcome check(const std::optional<committed_offsets>& row,
                      const offset_map& start,
                      const std::optional<bounded_range>& bounded) {
  return check_publish(row, start, start, bounded);
}
}  // namespace

TEST_CASE("publish check: committed, ahead and diverged") {
  committed_offsets row{"kafka", "t", {{"0", 100}, {"1", 50}}, std::nullopt, {}};
  SUBCASE("no row is a valid start") {
    CHECK(check(std::nullopt, {{"0", 5}}, std::nullopt) == publish_outcome::committed);
  }
  SUBCASE("matching start commits") {
    CHECK(check(row, {{"0", 100}, {"1", 50}}, std::nullopt) ==
          publish_outcome::committed);
  }
  SUBCASE("partitions the row lacks are a valid start") {
    CHECK(check(row, {{"0", 100}, {"7", 3}}, std::nullopt) == publish_outcome::committed);
  }
  SUBCASE("start beyond the row means a predecessor has not published yet") {
    CHECK(check(row, {{"0", 150}}, std::nullopt) == publish_outcome::ahead);
  }
  SUBCASE("start behind the row means someone else already published") {
    CHECK(check(row, {{"0", 60}}, std::nullopt) == publish_outcome::diverged);
  }
  SUBCASE("mixed ahead and behind is diverged") {
    CHECK(check(row, {{"0", 150}, {"1", 10}}, std::nullopt) == publish_outcome::diverged);
  }
  SUBCASE("a different bounded run never matches") {
    auto bounded_row = row;
    bounded_row.bounded = bounded_range{{{"0", 0}}, {{"0", 500}}};
    CHECK(check(bounded_row, {{"0", 100}}, bounded_range{{{"0", 0}}, {{"0", 400}}}) ==
          publish_outcome::diverged);
    CHECK(check(bounded_row, {{"0", 100}}, bounded_row.bounded) ==
          publish_outcome::committed);
  }
}

TEST_CASE(
    "pending jump: a publish ending at from moves the row to to; crossing it is "
    "refused") {
  committed_offsets row{"kafka", "t", {{"0", 100}, {"1", 50}}, std::nullopt, {}};
  row.jump = offset_jump{{{"0", 300}}, {{"0", 900}}};
  CHECK(check_publish(row, {{"0", 100}}, {{"0", 300}}, std::nullopt) ==
        publish_outcome::committed);
  CHECK(check_publish(row, {{"0", 100}}, {{"0", 301}}, std::nullopt) ==
        publish_outcome::diverged);
  CHECK(check_publish(row, {{"0", 100}}, {{"0", 250}}, std::nullopt) ==
        publish_outcome::committed);
  // Reaching from (commit-as or not) jumps; the jump is then done.
  auto next =
      row_after_publish(row, "kafka", "t", {{"0", 300}}, {{"0", 300}}, std::nullopt);
  CHECK(next.offsets == offset_map{{"0", 900}, {"1", 50}});
  CHECK(next.jump.empty());
  // Short of from: the jump stays.
  auto partial =
      row_after_publish(row, "kafka", "t", {{"0", 250}}, {{"0", 250}}, std::nullopt);
  CHECK(partial.offsets.at("0") == 250);
  CHECK(partial.jump == row.jump);
  // A group starting at to waits (ahead) until the jump landed.
  CHECK(check_publish(row, {{"0", 900}}, {{"0", 950}}, std::nullopt) ==
        publish_outcome::ahead);
  CHECK(check_publish(next, {{"0", 900}}, {{"0", 950}}, std::nullopt) ==
        publish_outcome::committed);
  // The jump survives the payload round trip.
  auto back = committed_offsets_from_json(to_json(row));
  REQUIRE(back);
  CHECK(*back == row);
}
