// Fuzz target: core::json::parse (API bodies, specs, stored rows). Whatever
// the bytes, parse returns a value or an error; a value prints back to text
// that parses to the same value, and never nests deeper than max_depth.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto v = sv::core::json::parse(text);
  if (!v) return 0;
  auto printed = v->dump();
  if (sv::core::json::nests_deeper_than(printed, sv::core::json::max_depth)) std::abort();
  auto again = sv::core::json::parse(printed);
  if (!again || !(*again == *v)) std::abort();
  return 0;
}
