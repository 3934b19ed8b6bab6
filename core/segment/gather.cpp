// Gathering merged output: each column is built by one worker.

#include <algorithm>

#include "core/segment/merge.hpp"
#include "core/segment/merge_plan.hpp"

namespace sv::core::segment_detail {

namespace {

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

// An empty output column for dimension `d`.
column_data column_of(const dim_plan& d) {
  column_data col;
  col.name = d.name;
  col.type = d.type;
  col.multi_value = d.multi;
  return col;
}

column_data string_column(const dim_plan& d, const std::vector<row_ref>& refs,
                          const std::vector<size_t>& starts) {
  size_t groups = starts.size() - 1;
  auto col = column_of(d);
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
  return col;
}

column_data numeric_column(const dim_plan& d, const std::vector<row_ref>& refs,
                           const std::vector<size_t>& starts) {
  size_t groups = starts.size() - 1;
  auto col = column_of(d);
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
  return col;
}

column_data metric_column(const std::vector<const segment_data*>& parts, size_t m,
                          const ingest::aggregator& agg, const std::vector<row_ref>& refs,
                          const std::vector<size_t>& starts) {
  size_t groups = starts.size() - 1;
  const auto& proto = parts.front()->metrics[m];
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
  return col;
}

}  // namespace

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

segment_data gather(const std::vector<const segment_data*>& parts,
                    const std::vector<dim_plan>& dims, const std::vector<row_ref>& refs,
                    const std::vector<size_t>& starts, const spread_fn& spread) {
  const auto& first = *parts.front();
  segment_data out;
  out.data_source = first.data_source;
  out.start = first.start;
  out.end = first.end;
  out.rollup = first.rollup;
  out.query_granularity = first.query_granularity;
  out.dimensions.resize(dims.size());
  out.metrics.resize(first.metrics.size());
  auto aggs = aggregators_of(first);
  // Item 0 is the time column, then the dimensions, then the metrics.
  for_each_spread(1 + dims.size() + first.metrics.size(), spread, [&](size_t i) {
    if (i == 0) {
      size_t groups = starts.size() - 1;
      out.time.reserve(groups);
      for (size_t g = 0; g < groups; ++g) {
        const auto& r = refs[starts[g]];
        out.time.push_back(parts[r.part]->time[r.row]);
      }
    } else if (i <= dims.size()) {
      const auto& d = dims[i - 1];
      out.dimensions[i - 1] = d.type == column_type::string
                                  ? string_column(d, refs, starts)
                                  : numeric_column(d, refs, starts);
    } else {
      size_t m = i - 1 - dims.size();
      out.metrics[m] = metric_column(parts, m, aggs[m], refs, starts);
    }
  });
  return out;
}

}  // namespace sv::core::segment_detail
