// Fuzz target: supervisor specs as POST /druid/indexer/v1/supervisor reads
// them. Whatever the bytes, the result is a spec or problems with paths; an
// accepted spec prints to JSON that is accepted again as the same spec.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/spec/supervisor_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto r = sv::core::parse_supervisor_spec_text(text);
  if (!r.ok()) {
    if (r.problems.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  auto printed = sv::core::to_json(*r.spec);
  auto again = sv::core::parse_supervisor_spec(printed);
  if (!again.ok() || !(sv::core::to_json(*again.spec) == printed)) std::abort();
  return 0;
}
