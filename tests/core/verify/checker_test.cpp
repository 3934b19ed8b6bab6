// The exactly-once checker against deliberately broken inputs: a missing id,
// a duplicated id, an id that is not in the stream, a record without an id,
// committed offsets that moved backwards or stopped short of the stream's end.

#include <doctest/doctest.h>

#include "core/verify/checker.hpp"

using namespace sv::core;
using namespace sv::core::verify;

namespace {

checker with_stream(int n) {
  checker c{3};
  for (int i = 0; i < n; ++i) c.expect("r-" + std::to_string(i));
  return c;
}

}  // namespace

TEST_CASE("verify: every id once and the row at the stream's end is clean") {
  auto c = with_stream(5);
  for (int i = 4; i >= 0; --i) c.published("r-" + std::to_string(i));
  c.observe_committed({{"0", 2}, {"1", 1}});
  c.observe_committed({{"0", 3}, {"1", 2}});
  c.expect_end({{"0", 3}, {"1", 2}}, {{"0", 3}, {"1", 2}});
  auto r = c.finish();
  CHECK(r.ok());
  CHECK(r.expected == 5);
  CHECK(r.published == 5);
  CHECK(r.to_json().find("ok")->as_bool());
}

TEST_CASE("verify: a missing id is caught and named") {
  auto c = with_stream(5);
  for (int i : {0, 1, 3, 4}) c.published("r-" + std::to_string(i));
  auto r = c.finish();
  CHECK_FALSE(r.ok());
  CHECK(r.missing.count == 1);
  CHECK(r.missing.first == std::vector<std::string>{"r-2"});
  CHECK(r.duplicated.count == 0);
}

TEST_CASE("verify: a duplicated id is caught with its count") {
  auto c = with_stream(3);
  for (int i : {0, 1, 2, 1, 1}) c.published("r-" + std::to_string(i));
  auto r = c.finish();
  CHECK_FALSE(r.ok());
  CHECK(r.duplicated.count == 1);
  CHECK(r.duplicated.first == std::vector<std::string>{"r-1 x3"});
  CHECK(r.published == 5);
  CHECK(r.missing.count == 0);
}

TEST_CASE("verify: an id in no stream record, and rows without ids, are caught") {
  auto c = with_stream(2);
  c.published("r-0");
  c.published("r-1");
  c.published("stranger");
  c.published_without_id("wiki_2026_v1_0");
  c.expect_without_id("3", 17);
  auto r = c.finish();
  CHECK(r.unexpected.first == std::vector<std::string>{"stranger"});
  CHECK(r.no_id.count == 2);
  CHECK(r.no_id.first[1] == "stream record at offset 17 of partition 3");
  CHECK_FALSE(r.ok());
}

TEST_CASE("verify: committed offsets that moved backwards are caught") {
  auto c = with_stream(0);
  c.observe_committed({{"0", 10}, {"1", 5}});
  c.observe_committed({{"0", 12}, {"1", 5}});
  c.observe_committed({{"0", 11}, {"1", 6}});  // 0 went back
  c.observe_committed({{"0", 11}, {"1", 6}});  // still there: the same move
  c.observe_committed({{"0", 13}, {"1", 6}});
  auto r = c.finish();
  CHECK_FALSE(r.ok());
  REQUIRE(r.offsets.count == 1);
  CHECK(r.offsets.first[0] ==
        "partition 0: committed offset moved backwards from 12 to 11");
}

TEST_CASE("verify: a row short of the stream's end, or with a foreign partition") {
  auto c = with_stream(0);
  c.expect_end({{"0", 10}, {"9", 1}}, {{"0", 12}, {"1", 4}});
  auto r = c.finish();
  CHECK(r.offsets.count == 3);
  CHECK(r.offsets.first[0] == "partition 0: committed offset 10, the stream ends at 12");
  CHECK(r.offsets.first[1] == "partition 1: committed offset 0, the stream ends at 4");
  CHECK(r.offsets.first[2].find("partition 9") == 0);
}

TEST_CASE("verify: the report lists only the first few of many") {
  auto c = with_stream(10);
  auto r = c.finish();
  CHECK(r.missing.count == 10);
  CHECK(r.missing.first.size() == 3);
  CHECK(r.missing.first[0] == "r-0");
}
