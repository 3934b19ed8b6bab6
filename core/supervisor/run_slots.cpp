#include "core/supervisor/run_slots.hpp"

#include <algorithm>
#include <cstdint>

namespace sv::core::supervisor {

millis run_phase(std::string_view id, millis period) {
  if (period.count() <= 0) return millis{0};
  // FNV-1a, then a 64-bit finaliser so that ids differing in their last
  // character (s1, s2, ...) land far apart.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return millis{static_cast<int64_t>(h % static_cast<uint64_t>(period.count()))};
}

millis until_next_slot(millis now, millis period, millis phase, millis min_gap) {
  if (period.count() <= 0) return millis{0};
  auto earliest = now + std::max(min_gap, millis{1});
  // The slot at or after `earliest`: phase + k * period.
  auto from_phase = earliest - phase;
  auto k = from_phase.count() / period.count();
  if (from_phase.count() < 0 && from_phase.count() % period.count() != 0) --k;
  auto slot = phase + period * k;
  if (slot < earliest) slot += period;
  return slot - now;
}

}  // namespace sv::core::supervisor
