#include "core/segment/merge.hpp"

#include <algorithm>
#include <bit>
#include <queue>

#include "core/segment/merge_plan.hpp"

namespace sv::core {

using segment_detail::dim_plan;
using segment_detail::global_id;
using segment_detail::global_ids;
using segment_detail::row_ref;

std::vector<ingest::aggregator> aggregators_of(const segment_data& s) {
  std::vector<ingest::aggregator> out;
  for (const auto& m : s.metrics) {
    auto a = ingest::aggregator::make(m.aggregator);
    out.push_back(a ? *a : ingest::aggregator{});
  }
  return out;
}

namespace {

template <class T>
int three_way(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_cell(const dim_plan& d, const row_ref& x, const row_ref& y) {
  if (d.type == column_type::string) {
    if (!d.multi) return three_way(global_id(d, x), global_id(d, y));
    auto a = global_ids(d, x), b = global_ids(d, y);
    return a == b ? 0 : (a < b ? -1 : 1);
  }
  const column_data* cx = d.cols[x.part];
  const column_data* cy = d.cols[y.part];
  bool nx = !cx || cx->is_null(x.row), ny = !cy || cy->is_null(y.row);
  if (nx || ny) return nx == ny ? 0 : (nx ? -1 : 1);
  if (d.type == column_type::long_) return three_way(cx->longs[x.row], cy->longs[y.row]);
  return three_way(cx->doubles[x.row], cy->doubles[y.row]);
}

// Each row of each part as one word: its time's rank among every part's
// times, then each dimension's global id, most significant first. Words then
// compare as compare_cell compares rows (a global id is the rank of the value,
// null first). Only when every dimension is a single-value string and the
// widths fit in 64 bits; otherwise empty.
std::vector<std::vector<uint64_t>> packed_keys(
    const std::vector<const segment_data*>& parts, const std::vector<dim_plan>& dims) {
  for (const auto& d : dims)
    if (d.type != column_type::string || d.multi) return {};
  // Every part is sorted by time first: its distinct times in one walk.
  std::vector<int64_t> times;
  for (const auto* p : parts)
    for (size_t r = 0; r < p->time.size(); ++r)
      if (r == 0 || p->time[r] != p->time[r - 1]) times.push_back(p->time[r]);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  auto width = [](size_t max) { return static_cast<unsigned>(std::bit_width(max)); };
  unsigned dim_bits = 0;
  for (const auto& d : dims) dim_bits += width(d.dictionary.size());
  unsigned time_bits = times.empty() ? 0 : width(times.size() - 1);
  if (dim_bits + time_bits > 64 || dim_bits >= 64) return {};
  unsigned time_shift = dim_bits;
  std::vector<unsigned> shift(dims.size());
  for (size_t i = 0, at = dim_bits; i < dims.size(); ++i) {
    at -= width(dims[i].dictionary.size());
    shift[i] = static_cast<unsigned>(at);
  }
  std::vector<std::vector<uint64_t>> keys(parts.size());
  for (uint32_t p = 0; p < parts.size(); ++p) {
    const auto& part = *parts[p];
    auto& k = keys[p];
    k.assign(part.rows(), 0);
    size_t rank = 0;
    for (size_t r = 0; r < part.rows(); ++r) {
      while (times[rank] != part.time[r]) ++rank;  // both ascending
      k[r] = static_cast<uint64_t>(rank) << time_shift;
    }
    for (size_t i = 0; i < dims.size(); ++i) {
      const auto* c = dims[i].cols[p];
      if (!c) continue;  // null: id 0
      const auto& remap = dims[i].remap[p];
      for (size_t r = 0; r < part.rows(); ++r)
        k[r] |= static_cast<uint64_t>(remap[c->ids[r]]) << shift[i];
    }
  }
  return keys;
}

// The k-way merge of sorted parts: every row in order (ties: the earlier part
// first), and where each group of equal rows starts (each row its own group
// without rollup). `cmp` is a three-way comparison of two rows.
template <class Compare>
void merge_refs(const std::vector<const segment_data*>& parts, bool rollup, Compare cmp,
                std::vector<row_ref>& refs, std::vector<size_t>& starts) {
  auto later = [&](const row_ref& x, const row_ref& y) {
    int c = cmp(x, y);
    return c > 0 || (c == 0 && x.part > y.part);
  };
  std::priority_queue<row_ref, std::vector<row_ref>, decltype(later)> heap{later};
  size_t total = 0;
  for (uint32_t p = 0; p < parts.size(); ++p) {
    total += parts[p]->rows();
    if (parts[p]->rows() > 0) heap.push(row_ref{p, 0});
  }
  refs.reserve(total);
  while (!heap.empty()) {
    auto r = heap.top();
    heap.pop();
    if (refs.empty() || !rollup || cmp(refs.back(), r) != 0)
      starts.push_back(refs.size());
    refs.push_back(r);
    if (r.row + 1 < parts[r.part]->rows()) heap.push(row_ref{r.part, r.row + 1});
  }
  starts.push_back(refs.size());
  if (refs.empty()) starts = {0};
}

// The same merge over packed keys (one word per row): the few parts' next
// words are compared in place, the earliest part winning ties, instead of
// going through a heap.
void merge_packed(const std::vector<std::vector<uint64_t>>& keys, bool rollup,
                  std::vector<row_ref>& refs, std::vector<size_t>& starts) {
  std::vector<uint32_t> live;  // parts with rows left, in part order
  std::vector<uint32_t> next(keys.size(), 0);
  size_t total = 0;
  for (uint32_t p = 0; p < keys.size(); ++p) {
    total += keys[p].size();
    if (!keys[p].empty()) live.push_back(p);
  }
  refs.reserve(total);
  starts.reserve(total + 1);
  uint64_t last = 0;
  while (!live.empty()) {
    size_t best = 0;
    uint64_t min = keys[live[0]][next[live[0]]];
    for (size_t i = 1; i < live.size(); ++i) {
      uint64_t k = keys[live[i]][next[live[i]]];
      if (k < min) {
        min = k;
        best = i;
      }
    }
    uint32_t p = live[best];
    if (refs.empty() || !rollup || min != last) starts.push_back(refs.size());
    last = min;
    refs.push_back(row_ref{p, next[p]});
    if (++next[p] == keys[p].size()) live.erase(live.begin() + static_cast<long>(best));
  }
  starts.push_back(refs.size());
  if (refs.empty()) starts = {0};
}

}  // namespace

segment_data merge(const std::vector<const segment_data*>& parts, bool rollup,
                   bool packed, const spread_fn& spread) {
  auto dims = segment_detail::plan(parts);
  std::vector<row_ref> refs;
  std::vector<size_t> starts;
  auto keys = packed ? packed_keys(parts, dims) : std::vector<std::vector<uint64_t>>{};
  if (!keys.empty()) {
    merge_packed(keys, rollup, refs, starts);
  } else {
    merge_refs(
        parts, rollup,
        [&](const row_ref& x, const row_ref& y) {
          int c = three_way(parts[x.part]->time[x.row], parts[y.part]->time[y.row]);
          for (size_t i = 0; c == 0 && i < dims.size(); ++i)
            c = compare_cell(dims[i], x, y);
          return c;
        },
        refs, starts);
  }
  return segment_detail::gather(parts, dims, refs, starts, spread);
}

}  // namespace sv::core
