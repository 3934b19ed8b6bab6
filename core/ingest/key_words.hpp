#pragma once
// 64-bit values in a row key of 32-bit words (internal to the rollup index).

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sv::core::ingest {

inline int64_t get64(const uint32_t* k, size_t at) {
  int64_t v;
  std::memcpy(&v, k + at, sizeof v);
  return v;
}

inline void put64(uint32_t* k, size_t at, int64_t v) {
  std::memcpy(k + at, &v, sizeof v);
}

}  // namespace sv::core::ingest
