#include "core/stream/stream_traits.hpp"

#include <array>

namespace sv::core::stream {

namespace {

constexpr std::array<stream_traits, 3> table{{
    {.type = "kafka", .can_idle = true, .cluster_wide_probe = true},
    {.type = "rabbit", .can_idle = false},
    {.type = "kinesis", .can_idle = true, .lag_in_records = false},
}};

}  // namespace

const stream_traits& traits_of(std::string_view type) {
  for (const auto& t : table)
    if (t.type == type) return t;
  return table[0];
}

}  // namespace sv::core::stream
