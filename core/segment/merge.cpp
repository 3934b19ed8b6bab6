#include "core/segment/merge.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace sv::core {

namespace {

struct row_ref {
  uint32_t part;
  uint32_t row;
};

// For each output dimension, the matching column of every part (or null).
struct dim_map {
  std::string name;
  column_type type = column_type::string;
  bool multi = false;
  std::vector<const column_data*> cols;
};

std::vector<dim_map> map_dimensions(const std::vector<const segment_data*>& parts) {
  std::vector<dim_map> out;
  for (size_t p = 0; p < parts.size(); ++p) {
    for (const auto& c : parts[p]->dimensions) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const dim_map& d) { return d.name == c.name; });
      if (it == out.end()) {
        out.push_back(dim_map{c.name, c.type, false,
                              std::vector<const column_data*>(parts.size())});
        it = out.end() - 1;
      }
      it->cols[p] = &c;
      it->multi = it->multi || c.multi_value;
    }
  }
  return out;
}

int compare_strings(const std::vector<std::string_view>& a,
                    const std::vector<std::string_view>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i)
    if (int c = a[i].compare(b[i])) return c < 0 ? -1 : 1;
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int compare_cell(const dim_map& d, const row_ref& x, const row_ref& y) {
  const column_data* cx = d.cols[x.part];
  const column_data* cy = d.cols[y.part];
  if (d.type == column_type::string) {
    if (!d.multi) {  // fast path: one value or null on both sides
      uint32_t ix = cx ? cx->ids[x.row] : 0, iy = cy ? cy->ids[y.row] : 0;
      if (ix == 0 || iy == 0) return ix == iy ? 0 : (ix == 0 ? -1 : 1);
      if (cx == cy) return ix < iy ? -1 : ix > iy ? 1 : 0;  // same sorted dictionary
      int c = std::string_view{cx->dictionary[ix - 1]}.compare(cy->dictionary[iy - 1]);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    auto vx = cx ? cx->strings(x.row) : std::vector<std::string_view>{};

    auto vy = cy ? cy->strings(y.row) : std::vector<std::string_view>{};
    return compare_strings(vx, vy);
  }
  bool nx = !cx || cx->is_null(x.row), ny = !cy || cy->is_null(y.row);
  if (nx || ny) return nx == ny ? 0 : (nx ? -1 : 1);
  if (d.type == column_type::long_) {
    auto a = cx->longs[x.row], b = cy->longs[y.row];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  auto a = cx->doubles[x.row], b = cy->doubles[y.row];
  return a < b ? -1 : a > b ? 1 : 0;
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

// Builds the output from groups of equal rows (refs[starts[g] .. starts[g+1])).
segment_data gather(const std::vector<const segment_data*>& parts,
                    const std::vector<dim_map>& dims, const std::vector<row_ref>& refs,
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
  for (size_t g = 0; g < groups; ++g)
    out.time.push_back(parts[refs[starts[g]].part]->time[refs[starts[g]].row]);
  for (const auto& d : dims) {
    column_data col;
    col.name = d.name;
    col.type = d.type;
    col.multi_value = d.multi;
    if (d.type == column_type::string) {
      // Output dictionary: sorted union of the values used by the groups.
      std::map<std::string_view, uint32_t> dict;
      for (size_t g = 0; g < groups; ++g) {
        const auto& r = refs[starts[g]];
        if (d.cols[r.part])
          for (auto v : d.cols[r.part]->strings(r.row)) dict.emplace(v, 0);
      }
      uint32_t next = 1;
      for (auto& [v, id] : dict) {
        id = next++;
        col.dictionary.emplace_back(v);
      }
      if (d.multi) col.offsets.push_back(0);
      for (size_t g = 0; g < groups; ++g) {
        const auto& r = refs[starts[g]];
        auto vs = d.cols[r.part] ? d.cols[r.part]->strings(r.row)
                                 : std::vector<std::string_view>{};
        if (d.multi) {
          for (auto v : vs) col.ids.push_back(dict[v]);
          col.offsets.push_back(static_cast<uint32_t>(col.ids.size()));
        } else {
          col.ids.push_back(vs.empty() ? 0 : dict[vs[0]]);
        }
      }
    } else {
      bool any_null = false;
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
    for (size_t g = 0; g < groups; ++g) {
      ingest::agg_state acc;
      agg.init(acc);
      for (size_t k = starts[g]; k < starts[g + 1]; ++k)
        agg.combine(acc, state_of(parts[refs[k].part]->metrics[m], agg, refs[k].row));
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

segment_data merge(const std::vector<const segment_data*>& parts, bool rollup) {
  auto dims = map_dimensions(parts);
  std::vector<row_ref> refs;
  for (uint32_t p = 0; p < parts.size(); ++p)
    for (uint32_t r = 0; r < parts[p]->rows(); ++r) refs.push_back(row_ref{p, r});
  auto cmp = [&](const row_ref& x, const row_ref& y) {
    auto tx = parts[x.part]->time[x.row], ty = parts[y.part]->time[y.row];
    if (tx != ty) return tx < ty ? -1 : 1;
    for (const auto& d : dims)
      if (int c = compare_cell(d, x, y)) return c;
    return 0;
  };
  std::stable_sort(refs.begin(), refs.end(),
                   [&](const row_ref& x, const row_ref& y) { return cmp(x, y) < 0; });
  std::vector<size_t> starts;
  for (size_t i = 0; i < refs.size(); ++i)
    if (i == 0 || !rollup || cmp(refs[i - 1], refs[i]) != 0) starts.push_back(i);
  starts.push_back(refs.size());
  return gather(parts, dims, refs, starts);
}

std::vector<segment_data> split(const segment_data& sorted, const granularity& gran,
                                int32_t max_rows) {
  std::vector<segment_data> out;
  std::vector<const segment_data*> one{&sorted};
  auto dims = map_dimensions(one);
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

}  // namespace sv::core
