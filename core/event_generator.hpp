#pragma once
// Realistic wiki-edit-like JSON events for demos, tests and benchmarks:
// timestamp, a unique id, 10 dimensions (page, user, country, cityName,
// language, channel, namespace, isRobot, isNew, isAnonymous) and 5 numeric
// fields (added, deleted, delta, commentLength, userEdits) — about 330 bytes.
// Deterministic for a seed; ids are "{run}-{sequence}".

#include <cstdint>
#include <random>
#include <string>

#include "core/time.hpp"

namespace sv::core {

class event_generator {
 public:
  /// `run` prefixes ids so runs never collide; `seed` fixes the content.
  event_generator(std::string run, uint64_t seed);

  /// Appends the next event (one JSON object, no newline) to `out`, stamped `ts`.
  void next(std::string& out, utc_time ts);

  /// Sequence number of the next event.
  uint64_t sequence() const { return seq_; }

 private:
  std::string run_;
  uint64_t seq_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace sv::core
