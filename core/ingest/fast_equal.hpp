#pragma once
// Equality of short strings without a call into libc's memcmp: two (possibly
// overlapping) 4-byte loads for 4 to 7 bytes, two 8-byte loads for 8 to 16.
// Used on the ingest hot path (field names, dictionary values).

#include <cstdint>
#include <cstring>
#include <string_view>

namespace sv::core::ingest {

// The first and the last sizeof(Word) bytes of both (they overlap when n is
// under twice the word): equal exactly when the n bytes are.
template <class Word>
bool ends_equal(std::string_view a, std::string_view b, size_t n) {
  Word a0, a1, b0, b1;
  std::memcpy(&a0, a.data(), sizeof(Word));
  std::memcpy(&b0, b.data(), sizeof(Word));
  std::memcpy(&a1, a.data() + n - sizeof(Word), sizeof(Word));
  std::memcpy(&b1, b.data() + n - sizeof(Word), sizeof(Word));
  return a0 == b0 && a1 == b1;
}

inline bool fast_equal(std::string_view a, std::string_view b) {
  size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) return ends_equal<uint64_t>(a, b, n);
  if (n >= 4 && n < 8) return ends_equal<uint32_t>(a, b, n);
  if (n < 4) {
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  return std::memcmp(a.data(), b.data(), n) == 0;
}

}  // namespace sv::core::ingest
