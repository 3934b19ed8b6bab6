#pragma once
// Dictionary encoding for the rollup index: string -> dense id (from 1), with
// an open-addressing table (the ingest hot path) whose entries hold the upper
// half of the value's hash beside its id, so a probe reads a value only when
// the hashes agree.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/ingest/fast_equal.hpp"

namespace sv::core::ingest {

class string_interner {
 public:
  string_interner() : table_(64, 0) {}

  /// The id of `s`, adding it if new.
  uint32_t intern(std::string_view s) {
    uint64_t h = hash(s);
    uint64_t tag = h & tag_mask;
    size_t mask = table_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint64_t e = table_[i];
      if (e == 0) break;
      if ((e & tag_mask) != tag) continue;
      auto id = static_cast<uint32_t>(e);
      if (fast_equal(values_[id - 1], s)) return id;
    }
    values_.emplace_back(s);
    hashes_.push_back(h);
    bytes_ += s.size() + 48;
    auto id = static_cast<uint32_t>(values_.size());
    if (values_.size() * 2 > table_.size()) {
      grow();
    } else {
      insert(id, h);
    }
    return id;
  }

  const std::string& value(uint32_t id) const { return values_[id - 1]; }
  const std::vector<std::string>& values() const { return values_; }
  size_t size() const { return values_.size(); }
  size_t bytes() const { return bytes_ + table_.size() * sizeof(uint64_t); }

  /// Every byte counts once or twice; the last word is read with loads that
  /// may overlap earlier bytes (no byte-by-byte tail), so values up to 8 bytes
  /// of one length never collide; the length is mixed in first.
  static uint64_t hash(std::string_view s) {
    uint64_t h = (0x9E3779B97F4A7C15ull + s.size()) * 0xBF58476D1CE4E5B9ull;
    const char* p = s.data();
    size_t n = s.size();
    while (n > 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 29;
      p += 8;
      n -= 8;
    }
    uint64_t w = 0;
    if (s.size() >= 8) {  // the last 8 bytes of the value
      std::memcpy(&w, s.data() + s.size() - 8, 8);
    } else if (n >= 4) {
      uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      w = lo | uint64_t{hi} << 32;
    } else if (n > 0) {
      auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
      w = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
    }
    h = (h ^ w) * 0x94D049BB133111EBull;
    return h ^ (h >> 31);
  }

 private:
  static constexpr uint64_t tag_mask = 0xFFFFFFFF00000000ull;

  void insert(uint32_t id, uint64_t h) {
    size_t mask = table_.size() - 1;
    size_t i = h & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = (h & tag_mask) | id;
  }
  void grow() {
    table_.assign(table_.size() * 2, 0);
    for (uint32_t id = 1; id <= values_.size(); ++id) insert(id, hashes_[id - 1]);
  }

  std::vector<std::string> values_;
  std::vector<uint64_t> hashes_;  ///< full hashes, for growing the table
  std::vector<uint64_t> table_;   ///< hash tag | id, 0 = empty
  size_t bytes_ = 0;
};

}  // namespace sv::core::ingest
