#include "core/ingest/sort_order.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <unordered_map>

namespace sv::core::ingest {

namespace {

// One word per row, (time rank, dimension ranks..., row number), when they fit.
bool packed_order(const std::vector<uint64_t>& keys, size_t kw, size_t rows,
                  std::vector<uint32_t>& order) {
  constexpr size_t max_times = size_t{1} << 20;
  // One pass over the rows (row-major, as they lie): the distinct times (rows
  // mostly come in time order: the last time is checked first) and each
  // word's largest value.
  std::unordered_map<uint64_t, uint64_t> time_rank;
  time_rank.reserve(256);
  std::vector<uint64_t> max(kw, 0);
  uint64_t last_time = 0;
  bool any = false;
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* k = &keys[r * kw];
    if (!any || k[0] != last_time) {
      time_rank.emplace(k[0], 0);
      if (time_rank.size() > max_times) return false;
      last_time = k[0];
      any = true;
    }
    for (size_t i = 1; i < kw; ++i) max[i] = std::max(max[i], k[i]);
  }
  std::vector<uint64_t> times;
  times.reserve(time_rank.size());
  for (const auto& [t, rank] : time_rank) times.push_back(t);
  std::sort(times.begin(), times.end());
  for (size_t i = 0; i < times.size(); ++i) time_rank[times[i]] = i;

  std::vector<int> bits(kw, 0);
  bits[0] = std::bit_width(times.size() - 1);
  for (size_t i = 1; i < kw; ++i) bits[i] = std::bit_width(max[i]);
  int row_bits = std::bit_width(rows - 1);
  int total = row_bits;
  for (int b : bits) total += b;
  if (total > 64) return false;

  std::vector<uint64_t> packed(rows);
  uint64_t rank_of_last = time_rank[keys[0]];
  last_time = keys[0];
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* k = &keys[r * kw];
    if (k[0] != last_time) {
      last_time = k[0];
      rank_of_last = time_rank[k[0]];
    }
    uint64_t p = rank_of_last;
    for (size_t i = 1; i < kw; ++i) p = bits[i] == 0 ? p : (p << bits[i]) | k[i];
    packed[r] = row_bits == 0 ? p : (p << row_bits) | r;
  }
  std::sort(packed.begin(), packed.end());
  uint64_t row_mask = row_bits == 0 ? 0 : (uint64_t{1} << row_bits) - 1;
  for (size_t i = 0; i < rows; ++i)
    order[i] = static_cast<uint32_t>(packed[i] & row_mask);
  return true;
}

}  // namespace

std::vector<uint32_t> sort_order(const std::vector<uint64_t>& keys, size_t kw,
                                 size_t rows, bool dense) {
  std::vector<uint32_t> order(rows);
  if (rows <= 1) return order;  // {} or {0}
  if (dense && kw > 0 && packed_order(keys, kw, rows, order)) return order;
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const uint64_t* x = &keys[a * kw];
    const uint64_t* y = &keys[b * kw];
    for (size_t i = 0; i < kw; ++i)
      if (x[i] != y[i]) return x[i] < y[i];
    return a < b;
  });
  return order;
}

}  // namespace sv::core::ingest
