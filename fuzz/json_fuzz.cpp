// Fuzz target: core::json::parse (API bodies, specs, stored rows). Whatever
// the bytes, parse returns a value or an error; a value prints to text that
// parses to the same value (NaN and Infinity, which JSON lacks, print as
// null: then at least the printed text is stable), and never nests deeper
// than max_depth.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.hpp"

namespace {

bool has_non_finite(const sv::core::json& v) {
  if (v.is_real()) return !std::isfinite(v.as_real());
  if (v.is_array())
    for (const auto& e : v.as_array())
      if (has_non_finite(e)) return true;
  if (v.is_object())
    for (const auto& m : v.as_object())
      if (has_non_finite(m.value)) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto v = sv::core::json::parse(text);
  if (!v) return 0;
  auto printed = v->dump();
  if (sv::core::json::nests_deeper_than(printed, sv::core::json::max_depth)) std::abort();
  auto again = sv::core::json::parse(printed);
  if (!again || again->dump() != printed) std::abort();
  if (!has_non_finite(*v) && !(*again == *v)) std::abort();
  return 0;
}
