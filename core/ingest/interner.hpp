#pragma once
// Dictionary encoding for the rollup index: string -> dense id (from 1), with
// an open-addressing table (the ingest hot path) whose entries hold the upper
// half of the value's hash beside its id, and a value of up to 16 bytes
// itself (as two words): a probe compares within the entry, and reads a longer
// value only when the hashes agree.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/ingest/fast_equal.hpp"

namespace sv::core::ingest {

class string_interner {
 public:
  string_interner() : table_(64) {}

  /// The id of `s`, adding it if new.
  uint32_t intern(std::string_view s) {
    uint64_t h = hash(s);
    auto tag = static_cast<uint32_t>(h >> 32);
    words w = words_of(s);
    size_t mask = table_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const entry& e = table_[i];
      if (e.id == 0) break;
      if (e.tag != tag) continue;
      if (s.size() <= 16 ? e.size == s.size() && e.w.a == w.a && e.w.b == w.b
                         : fast_equal(values_[e.id - 1], s))
        return e.id;
    }
    values_.emplace_back(s);
    hashes_.push_back(h);
    bytes_ += s.size() + 48;
    auto id = static_cast<uint32_t>(values_.size());
    if (values_.size() * 2 > table_.size()) {
      grow();
    } else {
      insert(id, h, w, s.size());
    }
    return id;
  }

  const std::string& value(uint32_t id) const { return values_[id - 1]; }
  const std::vector<std::string>& values() const { return values_; }
  size_t size() const { return values_.size(); }
  size_t bytes() const { return bytes_ + table_.size() * sizeof(entry); }

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
  /// A value of up to 16 bytes as two words: its first and last 8 bytes (they
  /// overlap under 16), or under 8 bytes its first and last 4, or under 4 its
  /// bytes; with the size, equal exactly when the values are. Longer values
  /// give zeros (they are compared as strings).
  struct words {
    uint64_t a = 0, b = 0;
  };
  static words words_of(std::string_view s) {
    words w;
    const char* p = s.data();
    size_t n = s.size();
    if (n > 16) return w;
    if (n >= 8) {
      std::memcpy(&w.a, p, 8);
      std::memcpy(&w.b, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      w.a = lo | uint64_t{hi} << 32;
    } else {
      for (size_t i = 0; i < n; ++i)
        w.a |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    }
    return w;
  }

  struct entry {
    uint32_t tag = 0;  ///< the hash's upper half
    uint32_t id = 0;   ///< 0: empty
    uint64_t size = 0;
    words w;  ///< the value, when up to 16 bytes
  };

  void insert(uint32_t id, uint64_t h, words w, size_t size) {
    size_t mask = table_.size() - 1;
    size_t i = h & mask;
    while (table_[i].id != 0) i = (i + 1) & mask;
    table_[i] = {static_cast<uint32_t>(h >> 32), id, size, w};
  }
  void grow() {
    table_.assign(table_.size() * 2, entry{});
    for (uint32_t id = 1; id <= values_.size(); ++id) {
      const auto& v = values_[id - 1];
      insert(id, hashes_[id - 1], words_of(v), v.size());
    }
  }

  std::vector<std::string> values_;
  std::vector<uint64_t> hashes_;  ///< full hashes, for growing the table
  std::vector<entry> table_;
  size_t bytes_ = 0;
};

}  // namespace sv::core::ingest
