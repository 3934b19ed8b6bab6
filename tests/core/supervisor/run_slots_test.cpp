// Run slots: each supervisor's phase within its period, and the time to its
// next slot.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/supervisor/run_slots.hpp"

namespace sv::test {

using core::millis;
using core::supervisor::run_phase;
using core::supervisor::until_next_slot;

TEST_CASE("run slots: a phase is stable and within the period") {
  millis period{5000};
  CHECK(run_phase("wiki", period) == run_phase("wiki", period));
  for (int i = 0; i < 1000; ++i) {
    auto p = run_phase("s" + std::to_string(i), period);
    CHECK(p >= millis{0});
    CHECK(p < period);
  }
  CHECK(run_phase("wiki", millis{0}) == millis{0});
}

TEST_CASE("run slots: ids created together spread evenly over the period") {
  // 10,000 sequential ids over 50 slices of 100 ms: every slice within 25 %
  // of the mean (200); a clumping hash would leave slices empty.
  millis period{5000};
  std::vector<int> slices(50);
  for (int i = 0; i < 10000; ++i)
    ++slices[static_cast<size_t>(run_phase("s" + std::to_string(i), period).count() /
                                 100)];
  auto [lo, hi] = std::minmax_element(slices.begin(), slices.end());
  CHECK(*lo >= 150);
  CHECK(*hi <= 250);
}

TEST_CASE(
    "run slots: the next slot is on the phase's grid, half a period ahead at least") {
  millis period{5000}, phase{1200};
  // On time at a slot: the next one, a whole period later.
  CHECK(until_next_slot(millis{101200}, period, phase, period / 2) == period);
  // A little late: the same grid, so the gap shrinks by the lateness.
  CHECK(until_next_slot(millis{101300}, period, phase, period / 2) == millis{4900});
  // Early (the first tick, at startDelay): the next slot that is at least
  // half a period away.
  CHECK(until_next_slot(millis{100000}, period, phase, period / 2) == millis{6200});
  CHECK(until_next_slot(millis{98000}, period, phase, period / 2) == millis{3200});
  // More than half a period late: that slot is skipped.
  CHECK(until_next_slot(millis{104000}, period, phase, period / 2) == millis{7200});
  // Near the clock's epoch.
  CHECK(until_next_slot(millis{0}, period, phase, period / 2) == millis{6200});
  CHECK(until_next_slot(millis{0}, period, millis{3000}, period / 2) == millis{3000});
  // Whatever the time, the result is within [period / 2, 1.5 period).
  for (int64_t t = 0; t < 20000; t += 37) {
    auto d = until_next_slot(millis{t}, period, phase, period / 2);
    CHECK(d >= period / 2);
    CHECK(d < period + period / 2);
    CHECK((t + d.count()) % period.count() == phase.count());
  }
  // The first tick: the very next slot, however close.
  CHECK(until_next_slot(millis{101100}, period, phase, millis{0}) == millis{100});
  CHECK(until_next_slot(millis{101200}, period, phase, millis{0}) == period);
  CHECK(until_next_slot(millis{123}, millis{0}, millis{0}, millis{0}) == millis{0});
}

}  // namespace sv::test
