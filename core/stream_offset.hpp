#pragma once
// One position in one partition, "next offset to read". Kafka and RabbitMQ
// offsets are int64; Kinesis sequence numbers are decimal strings of up to
// 129 digits. A stream_offset holds either: values that fit int64 as a number,
// larger ones as their digits. Both order as numbers, and `end()` sorts above
// every value (a Kinesis shard closed and read to its end: Druid's EOS; also
// the open end of a task's sequence).
//
// Arithmetic is what the offset logic needs: + / - a count (exact, any size)
// and the distance between two offsets as int64 (saturating).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace sv::core {

class stream_offset {
 public:
  constexpr stream_offset() = default;
  constexpr stream_offset(int64_t v) : n_(v) {}  // NOLINT: offsets are numbers
  constexpr stream_offset(int v) : n_(v) {}      // NOLINT

  /// Decimal digits (an optional '-' only for values that fit int64), or
  /// "EOS" for end().
  static caf::expected<stream_offset> parse(std::string_view text);
  /// Above every offset.
  static stream_offset end();

  bool is_end() const { return end_; }
  /// True when the value fits int64 (not end(), not a long sequence number).
  bool is_small() const { return !end_ && !big_; }
  /// The value as int64 (saturating: long values give INT64_MAX).
  int64_t value() const;
  explicit operator int64_t() const { return value(); }
  explicit operator uint64_t() const { return static_cast<uint64_t>(value()); }
  /// Decimal digits, or "EOS".
  std::string to_string() const;

  friend stream_offset operator+(const stream_offset& a, int64_t k);
  friend stream_offset operator-(const stream_offset& a, int64_t k) { return a + (-k); }
  stream_offset& operator+=(int64_t k) { return *this = *this + k; }
  stream_offset& operator++() { return *this += 1; }
  stream_offset operator++(int) {
    auto old = *this;
    *this += 1;
    return old;
  }
  /// a - b as int64, saturating; 0 when either is end().
  friend int64_t operator-(const stream_offset& a, const stream_offset& b);

  friend int compare(const stream_offset& a, const stream_offset& b);
  friend bool operator==(const stream_offset& a, const stream_offset& b) {
    return compare(a, b) == 0;
  }
  friend auto operator<=>(const stream_offset& a, const stream_offset& b) {
    return compare(a, b) <=> 0;
  }
  friend bool operator==(const stream_offset& a, int64_t b) {
    return a.is_small() && a.n_ == b;
  }
  friend auto operator<=>(const stream_offset& a, int64_t b) {
    return compare(a, stream_offset{b}) <=> 0;
  }

 private:
  int64_t n_ = 0;
  bool end_ = false;
  std::shared_ptr<const std::string> big_;  ///< digits of a value above INT64_MAX
};

}  // namespace sv::core
