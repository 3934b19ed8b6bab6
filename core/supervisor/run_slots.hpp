#pragma once
// When a supervisor's periodic runs fall. Each supervisor runs at a fixed rate
// (as Druid's scheduleAtFixedRate) on its own slot of the period: a phase
// taken from a stable hash of its id. Supervisors created together (a node
// starting with 10,000 specs) so spread their runs evenly over the period
// instead of running in the same instant every period; and a late run does
// not move the ones after it, so a busy moment does not gather the late
// supervisors into a new crowd.

#include <string_view>

#include "core/time.hpp"

namespace sv::core::supervisor {

/// The phase of `id`'s runs within `period`, in [0, period): the same on
/// every node and every run.
millis run_phase(std::string_view id, millis period);

/// Time from `now` (a steady clock's time since its epoch) to the next slot:
/// the first t ≡ phase (mod period) with t > now and t ≥ now + min_gap.
/// Periodic ticks pass half a period: a tick that comes on time (or up to half
/// a period late) is followed by the next slot; one later than that skips a
/// slot rather than running twice close together. The first tick after
/// startDelay passes zero, so every later stretch of a period holds one run.
/// A period of zero or less means "now".
millis until_next_slot(millis now, millis period, millis phase, millis min_gap);

}  // namespace sv::core::supervisor
