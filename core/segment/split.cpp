// Cutting a merged, sorted segment into segments.

#include <algorithm>

#include "core/segment/merge.hpp"
#include "core/segment/merge_plan.hpp"

namespace sv::core {

using segment_detail::row_ref;

std::vector<segment_data> split(const segment_data& sorted, const granularity& gran,
                                int32_t max_rows) {
  std::vector<segment_data> out;
  std::vector<const segment_data*> one{&sorted};
  auto dims = segment_detail::plan(one);
  size_t i = 0;
  while (i < sorted.rows()) {
    auto bucket = gran.bucket_start(utc_time{millis{sorted.time[i]}});
    auto bucket_end = gran.next(bucket);
    size_t j = i;
    while (j < sorted.rows() && utc_time{millis{sorted.time[j]}} < bucket_end) ++j;
    for (size_t a = i; a < j; a += static_cast<size_t>(max_rows)) {
      size_t b = std::min(j, a + static_cast<size_t>(max_rows));
      std::vector<row_ref> refs;
      std::vector<size_t> starts;
      refs.reserve(b - a);
      starts.reserve(b - a + 1);
      for (size_t r = a; r < b; ++r) {
        starts.push_back(refs.size());
        refs.push_back(row_ref{0, static_cast<uint32_t>(r)});
      }
      starts.push_back(refs.size());
      auto seg = segment_detail::gather(one, dims, refs, starts);
      seg.start = bucket;
      seg.end = bucket_end;
      out.push_back(std::move(seg));
    }
    i = j;
  }
  return out;
}

std::vector<segment_data> split(segment_data&& sorted, const granularity& gran,
                                int32_t max_rows) {
  size_t rows = sorted.rows();
  if (rows == 0 || rows > static_cast<size_t>(max_rows))
    return split(sorted, gran, max_rows);
  auto bucket = gran.bucket_start(utc_time{millis{sorted.time.front()}});
  auto bucket_end = gran.next(bucket);
  if (utc_time{millis{sorted.time.back()}} >= bucket_end)
    return split(sorted, gran, max_rows);
  // A piece's dictionaries hold only the values its rows use.
  for (const auto& c : sorted.dimensions) {
    if (c.type != column_type::string) continue;
    std::vector<uint8_t> used(c.dictionary.size() + 1, 0);
    size_t distinct = 0;
    // Stops once every value was seen (low cardinalities: within a few rows).
    for (size_t k = 0; k < c.ids.size() && distinct < c.dictionary.size(); ++k) {
      auto id = c.ids[k];
      if (id != 0 && id <= c.dictionary.size() && !used[id]) {
        used[id] = 1;
        ++distinct;
      }
    }
    if (distinct != c.dictionary.size()) return split(sorted, gran, max_rows);
  }
  std::vector<segment_data> out;
  out.push_back(std::move(sorted));
  out.back().start = bucket;
  out.back().end = bucket_end;
  return out;
}

}  // namespace sv::core
