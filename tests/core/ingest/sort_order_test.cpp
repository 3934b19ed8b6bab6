// Row order of an index: one packed word per row, or word by word.

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>

#include "core/ingest/sort_order.hpp"

using namespace sv::core::ingest;

namespace {

// The order by plain word-by-word comparison, ties by row number.
std::vector<uint32_t> reference(const std::vector<uint64_t>& keys, size_t kw,
                                size_t rows) {
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::lexicographical_compare(&keys[a * kw], &keys[a * kw + kw], &keys[b * kw],
                                        &keys[b * kw + kw]);
  });
  return order;
}

}  // namespace

TEST_CASE("rows sorted packed in one word come in the order of a word-by-word sort") {
  uint64_t x = 0x2545F4914F6CDD1Dull;  // xorshift
  auto next = [&] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  // Few or many rows, times and ranks: from everything packing into one word
  // to keys too wide for it (then rows are compared word by word).
  for (size_t rows : {0, 1, 2, 7, 1000, 40000})
    for (size_t kw : {1, 2, 5, 11})
      for (uint64_t cardinality : {1ull, 3ull, 14ull, 1000ull, 1ull << 40}) {
        CAPTURE(rows);
        CAPTURE(kw);
        CAPTURE(cardinality);
        std::vector<uint64_t> keys(rows * kw);
        for (size_t r = 0; r < rows; ++r) {
          // Times: minutes of an hour as flipped millis, or spread wide.
          keys[r * kw] = (uint64_t{1} << 63) + 1767225600000ull +
                         60000 * (next() % (cardinality < 100 ? 60 : cardinality));
          for (size_t i = 1; i < kw; ++i) keys[r * kw + i] = next() % (cardinality + 1);
        }
        auto want = reference(keys, kw, rows);
        CHECK(sort_order(keys, kw, rows, true) == want);
        CHECK(sort_order(keys, kw, rows, false) == want);
      }
}

TEST_CASE("rows whose times come in runs, and return to earlier times, sort the same") {
  // Rows mostly arrive in time order: runs of one time, then a later one, then
  // a late row of an earlier time.
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  for (size_t run : {1, 5, 37})
    for (size_t kw : {1, 3, 11}) {
      CAPTURE(run);
      CAPTURE(kw);
      size_t rows = 3000;
      std::vector<uint64_t> keys(rows * kw);
      for (size_t r = 0; r < rows; ++r) {
        uint64_t minute = (r / run) % 7;
        if (r % 101 == 0) minute = next() % 7;  // a late row
        keys[r * kw] = (uint64_t{1} << 63) + 1767225600000ull + 60000 * minute;
        for (size_t i = 1; i < kw; ++i) keys[r * kw + i] = next() % 9;
      }
      auto want = reference(keys, kw, rows);
      CHECK(sort_order(keys, kw, rows, true) == want);
      CHECK(sort_order(keys, kw, rows, false) == want);
    }
}
