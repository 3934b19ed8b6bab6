#pragma once
// The body of POST /supervisor/{id}/resetOffsets, checked as Druid checks it:
// {"type":"kafka","partitions":{"type":"end","stream":"t",
//   "partitionOffsetMap":{"0":100}}}
// (partitionSequenceNumberMap and "topic" are accepted as aliases).

#include <caf/expected.hpp>

#include "core/json.hpp"
#include "core/offsets.hpp"
#include "core/spec/supervisor_spec.hpp"

namespace sv::core::supervisor {

/// The offsets to merge into the row, or invalid_input with Druid's message.
caf::expected<offset_map> parse_reset_offsets(const json& body,
                                              const supervisor_spec& spec);

}  // namespace sv::core::supervisor
