// The leader-log check against a clean history and against a write by a
// deposed leader, an election that did not raise the epoch and a write
// before any election.

#include <doctest/doctest.h>

#include "core/verify/leader_log.hpp"

using namespace sv::core::verify;

TEST_CASE("leader log: writes of the epoch that leads are clean") {
  std::vector<leader_log_row> rows{{1, 1, "elected", "t1"},
                                   {2, 1, "spec", "t2"},
                                   {3, 1, "audit", "t3"},
                                   {4, 2, "elected", "t4"},
                                   {5, 2, "lock grant", "t5"}};
  auto v = check_leader_log(rows);
  CHECK(v.count == 0);
  CHECK(v.first.empty());
}

TEST_CASE("leader log: a deposed leader's write, an epoch not raised, no election") {
  std::vector<leader_log_row> rows{{1, 1, "spec", "t1"},  // before any election
                                   {2, 1, "elected", "t2"},
                                   {3, 2, "elected", "t3"},
                                   {4, 1, "offsets reset", "t4"},  // epoch 1 deposed
                                   {5, 2, "elected", "t5"}};       // not raised
  auto v = check_leader_log(rows);
  REQUIRE(v.count == 3);
  CHECK(v.first[0] == "a leader write (spec) by epoch 1 while epoch 0 led (row 1, t1)");
  CHECK(v.first[1] ==
        "a leader write (offsets reset) by epoch 1 while epoch 2 led (row 4, t4)");
  CHECK(v.first[2] == "epoch 2 elected after epoch 2 (row 5, t5)");
}
