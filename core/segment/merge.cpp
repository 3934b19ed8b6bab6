#include "core/segment/merge.hpp"

#include <algorithm>
#include <bit>
#include <queue>

namespace sv::core {

namespace {

struct row_ref {
  uint32_t part;
  uint32_t row;
};

// One output dimension: its column in every part, and for strings a global
// sorted dictionary with each part's ids remapped into it (so rows compare by
// integer, and dictionaries merge without string comparisons per row).
struct dim_plan {
  std::string name;
  column_type type = column_type::string;
  bool multi = false;
  std::vector<const column_data*> cols;
  std::vector<std::vector<uint32_t>> remap;  ///< [part][local id] -> global id (0 = null)
  std::vector<std::string_view> dictionary;  ///< global, sorted, unique
};

std::vector<dim_plan> plan(const std::vector<const segment_data*>& parts) {
  std::vector<dim_plan> out;
  for (size_t p = 0; p < parts.size(); ++p) {
    for (const auto& c : parts[p]->dimensions) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const dim_plan& d) { return d.name == c.name; });
      if (it == out.end()) {
        out.push_back(dim_plan{c.name,
                               c.type,
                               false,
                               std::vector<const column_data*>(parts.size()),
                               {},
                               {}});
        it = out.end() - 1;
      }
      it->cols[p] = &c;
      it->multi = it->multi || c.multi_value;
    }
  }
  for (auto& d : out) {
    if (d.type != column_type::string) continue;
    for (const auto* c : d.cols)
      if (c)
        d.dictionary.insert(d.dictionary.end(), c->dictionary.begin(),
                            c->dictionary.end());
    std::sort(d.dictionary.begin(), d.dictionary.end());
    d.dictionary.erase(std::unique(d.dictionary.begin(), d.dictionary.end()),
                       d.dictionary.end());
    d.remap.resize(parts.size());
    for (size_t p = 0; p < parts.size(); ++p) {
      const auto* c = d.cols[p];
      if (!c) continue;
      auto& m = d.remap[p];
      m.resize(c->dictionary.size() + 1, 0);
      // Both dictionaries are sorted: one forward walk.
      size_t g = 0;
      for (size_t i = 0; i < c->dictionary.size(); ++i) {
        while (d.dictionary[g] != c->dictionary[i]) ++g;
        m[i + 1] = static_cast<uint32_t>(g + 1);
      }
    }
  }
  return out;
}

uint32_t global_id(const dim_plan& d, const row_ref& r) {
  const auto* c = d.cols[r.part];
  return c ? d.remap[r.part][c->ids[r.row]] : 0;
}

std::vector<uint32_t> global_ids(const dim_plan& d, const row_ref& r) {
  std::vector<uint32_t> out;
  const auto* c = d.cols[r.part];
  if (!c) return out;
  if (!c->multi_value) {
    if (c->ids[r.row] != 0) out.push_back(d.remap[r.part][c->ids[r.row]]);
    return out;
  }
  for (uint32_t k = c->offsets[r.row]; k < c->offsets[r.row + 1]; ++k)
    out.push_back(d.remap[r.part][c->ids[k]]);
  return out;
}

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

ingest::agg_state state_of(const column_data& c, const ingest::aggregator& a, size_t r) {
  ingest::agg_state s;
  a.init(s);
  if (c.is_null(r)) return s;
  if (c.type == column_type::long_)
    s.l = c.longs[r];
  else
    s.d = c.doubles[r];
  if (!c.times.empty())
    s.time = c.times[r];
  else if (a.op() == ingest::agg_op::min || a.op() == ingest::agg_op::max)
    s.time = 1;
  return s;
}

// Builds the output from groups of equal rows (refs[starts[g] .. starts[g+1])),
// with compact dictionaries (only the values the groups use).
segment_data gather(const std::vector<const segment_data*>& parts,
                    const std::vector<dim_plan>& dims, const std::vector<row_ref>& refs,
                    const std::vector<size_t>& starts) {
  const auto& first = *parts.front();
  segment_data out;
  out.data_source = first.data_source;
  out.start = first.start;
  out.end = first.end;
  out.rollup = first.rollup;
  out.query_granularity = first.query_granularity;
  size_t groups = starts.size() - 1;
  out.time.reserve(groups);
  for (size_t g = 0; g < groups; ++g) {
    const auto& r = refs[starts[g]];
    out.time.push_back(parts[r.part]->time[r.row]);
  }
  for (const auto& d : dims) {
    column_data col;
    col.name = d.name;
    col.type = d.type;
    col.multi_value = d.multi;
    if (d.type == column_type::string) {
      std::vector<uint32_t> compact(d.dictionary.size() + 1, 0);
      if (d.multi) {
        col.offsets.reserve(groups + 1);
        col.offsets.push_back(0);
        for (size_t g = 0; g < groups; ++g) {
          for (auto id : global_ids(d, refs[starts[g]])) {
            col.ids.push_back(id);
            compact[id] = 1;
          }
          col.offsets.push_back(static_cast<uint32_t>(col.ids.size()));
        }
      } else {
        col.ids.reserve(groups);
        for (size_t g = 0; g < groups; ++g) {
          auto id = global_id(d, refs[starts[g]]);
          col.ids.push_back(id);
          compact[id] = 1;
        }
      }
      uint32_t next = 0;
      for (size_t id = 1; id < compact.size(); ++id) {
        if (!compact[id]) continue;
        compact[id] = ++next;
        col.dictionary.emplace_back(d.dictionary[id - 1]);
      }
      for (auto& id : col.ids) id = id == 0 ? 0 : compact[id];
    } else {
      bool any_null = false;
      col.nulls.reserve(groups);
      for (size_t g = 0; g < groups; ++g) {
        const auto& r = refs[starts[g]];
        const column_data* c = d.cols[r.part];
        bool null = !c || c->is_null(r.row);
        any_null |= null;
        col.nulls.push_back(null ? 1 : 0);
        if (d.type == column_type::long_)
          col.longs.push_back(null ? 0 : c->longs[r.row]);
        else
          col.doubles.push_back(null ? 0.0 : c->doubles[r.row]);
      }
      if (!any_null) col.nulls.clear();
    }
    out.dimensions.push_back(std::move(col));
  }
  auto aggs = aggregators_of(first);
  for (size_t m = 0; m < first.metrics.size(); ++m) {
    const auto& proto = first.metrics[m];
    const auto& agg = aggs[m];
    column_data col;
    col.name = proto.name;
    col.type = proto.type;
    col.aggregator = proto.aggregator;
    bool any_null = false;
    col.nulls.reserve(groups);
    for (size_t g = 0; g < groups; ++g) {
      ingest::agg_state acc;
      if (starts[g + 1] - starts[g] == 1) {
        const auto& r = refs[starts[g]];
        acc = state_of(parts[r.part]->metrics[m], agg, r.row);
      } else {
        agg.init(acc);
        for (size_t k = starts[g]; k < starts[g + 1]; ++k)
          agg.combine(acc, state_of(parts[refs[k].part]->metrics[m], agg, refs[k].row));
      }
      bool null = agg.empty(acc);
      any_null |= null;
      col.nulls.push_back(null ? 1 : 0);
      if (col.type == column_type::long_)
        col.longs.push_back(null ? 0 : acc.l);
      else
        col.doubles.push_back(null ? 0.0 : acc.d);
      if (agg.has_time()) col.times.push_back(acc.time);
    }
    if (!any_null) col.nulls.clear();
    out.metrics.push_back(std::move(col));
  }
  return out;
}

}  // namespace

std::vector<ingest::aggregator> aggregators_of(const segment_data& s) {
  std::vector<ingest::aggregator> out;
  for (const auto& m : s.metrics) {
    auto a = ingest::aggregator::make(m.aggregator);
    out.push_back(a ? *a : ingest::aggregator{});
  }
  return out;
}

namespace {

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

}  // namespace

segment_data merge(const std::vector<const segment_data*>& parts, bool rollup,
                   bool packed) {
  auto dims = plan(parts);
  std::vector<row_ref> refs;
  std::vector<size_t> starts;
  auto keys = packed ? packed_keys(parts, dims) : std::vector<std::vector<uint64_t>>{};
  if (!keys.empty()) {
    merge_refs(
        parts, rollup,
        [&](const row_ref& x, const row_ref& y) {
          return three_way(keys[x.part][x.row], keys[y.part][y.row]);
        },
        refs, starts);
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
  return gather(parts, dims, refs, starts);
}

std::vector<segment_data> split(const segment_data& sorted, const granularity& gran,
                                int32_t max_rows) {
  std::vector<segment_data> out;
  std::vector<const segment_data*> one{&sorted};
  auto dims = plan(one);
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
      auto seg = gather(one, dims, refs, starts);
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
    std::vector<bool> used(c.dictionary.size() + 1, false);
    size_t distinct = 0;
    for (auto id : c.ids)
      if (id != 0 && id <= c.dictionary.size() && !used[id]) {
        used[id] = true;
        ++distinct;
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
