#pragma once
// The backfill supervisor of a reset-and-backfill: the source spec with a new
// id and boundedStreamConfig (Druid's createBackfillSpec), and its id
// {id}_backfill_{8 letters a-p} (Druid's getRandomIdWithPrefix).

#include <random>
#include <string>

#include <caf/expected.hpp>

#include "core/offsets.hpp"
#include "core/spec/supervisor_spec.hpp"

namespace sv::core::supervisor {

std::string backfill_id(const std::string& source_id, std::mt19937_64& rng);

/// `task_count` 0 keeps the source's taskCount.
caf::expected<supervisor_spec> make_backfill_spec(const supervisor_spec& source,
                                                  const std::string& id,
                                                  const bounded_range& range,
                                                  int32_t task_count);

}  // namespace sv::core::supervisor
