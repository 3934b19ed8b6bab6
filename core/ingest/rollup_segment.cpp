// rollup_index::to_segment: every row sorted by (time, dimensions), as columns.

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/ingest/key_words.hpp"
#include "core/ingest/rollup_index.hpp"
#include "core/ingest/sort_order.hpp"

namespace sv::core::ingest {

segment_data rollup_index::to_segment() const {
  segment_data out;
  out.data_source = schema_->data_source;
  out.rollup = schema_->rollup;
  out.query_granularity = schema_->query_granularity.to_json().is_string()
                              ? schema_->query_granularity.to_json().as_string()
                              : schema_->query_granularity.to_json().dump();
  // Ranks of dictionary ids in value order.
  std::vector<std::vector<uint32_t>> rank(ndims_);
  std::vector<std::vector<uint32_t>> sorted_ids(ndims_);
  for (size_t d = 0; d < ndims_; ++d) {
    const auto& vals = dicts_[d].strings.values();
    auto& ids = sorted_ids[d];
    ids.resize(vals.size());
    std::iota(ids.begin(), ids.end(), 1u);
    std::sort(ids.begin(), ids.end(),
              [&](uint32_t a, uint32_t b) { return vals[a - 1] < vals[b - 1]; });
    rank[d].assign(vals.size() + 1, 0);
    for (uint32_t r = 0; r < ids.size(); ++r) rank[d][ids[r]] = r + 1;
  }
  auto is_null = [&](const uint32_t* k, size_t d) {
    return (k[2 + d / 32] >> (d % 32)) & 1;
  };
  auto ranks_of = [&](const uint32_t* k, size_t d) {
    uint32_t v = *value_at(k, d);
    std::vector<uint32_t> out;
    if (v & multi_flag) {
      for (auto id : dicts_[d].arrays[static_cast<size_t>(v & ~multi_flag)])
        out.push_back(rank[d][id]);
    } else {
      out.push_back(rank[d][static_cast<size_t>(v)]);
    }
    return out;
  };
  // Order-preserving sort keys, one row of words per index row: time, then per
  // dimension either a rank (strings: 0 = null) or a null flag and a value whose
  // unsigned order is the numeric order. Sorting compares words only.
  std::vector<std::vector<uint64_t>> list_rank(
      ndims_);  // multi-value ids -> rank among lists
  for (size_t d = 0; d < ndims_; ++d) {
    const auto& arrays = dicts_[d].arrays;
    if (arrays.empty()) continue;
    // Every value list the dimension holds: singles [r] and the arrays.
    std::vector<std::vector<uint32_t>> lists;
    for (uint32_t r = 1; r <= dicts_[d].strings.size(); ++r) lists.push_back({r});
    for (const auto& a : arrays) {
      std::vector<uint32_t> rs;
      for (auto id : a) rs.push_back(rank[d][id]);
      lists.push_back(std::move(rs));
    }
    std::vector<uint32_t> idx(lists.size());
    std::iota(idx.begin(), idx.end(), 0u);
    std::sort(idx.begin(), idx.end(),
              [&](uint32_t a, uint32_t b) { return lists[a] < lists[b]; });
    list_rank[d].assign(lists.size(), 0);
    uint64_t next = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
      if (i == 0 || lists[idx[i]] != lists[idx[i - 1]]) ++next;
      list_rank[d][idx[i]] = next;
    }
  }
  auto flip = [](int64_t v) { return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63); };
  size_t kw = 1;
  for (size_t d = 0; d < ndims_; ++d)
    kw += schema_->dimensions[d].type == dim_type::string ? 1 : 2;
  std::vector<uint64_t> sk(rows_ * kw);
  for (size_t r = 0; r < rows_; ++r) {
    const uint32_t* k = keys_.row(r);
    uint64_t* o = &sk[r * kw];
    *o++ = flip(get64(k, 0));
    for (size_t d = 0; d < ndims_; ++d) {
      bool null = is_null(k, d);
      bool string = schema_->dimensions[d].type == dim_type::string;
      int64_t v = string ? int64_t{*value_at(k, d)} : get64(value_at(k, d), 0);
      switch (schema_->dimensions[d].type) {
        case dim_type::string:
          if (null)
            *o++ = 0;
          else if (!list_rank[d].empty())
            *o++ = (v & multi_flag) ? list_rank[d][dicts_[d].strings.size() +
                                                   static_cast<size_t>(v & ~multi_flag)]
                                    : list_rank[d][rank[d][static_cast<size_t>(v)] - 1];
          else
            *o++ = rank[d][static_cast<size_t>(v)];
          break;
        case dim_type::long_:
          *o++ = null ? 0 : 1;
          *o++ = null ? 0 : flip(v);
          break;
        default: {  // doubles: IEEE bits mapped to an unsigned total order
          uint64_t bits = static_cast<uint64_t>(v);
          *o++ = null ? 0 : 1;
          *o++ = null ? 0 : ((bits >> 63) ? ~bits : bits | (uint64_t{1} << 63));
          break;
        }
      }
    }
  }
  bool dense = true;
  for (const auto& def : schema_->dimensions) dense &= def.type == dim_type::string;
  auto order = sort_order(sk, kw, rows_, dense);
  sk = {};
  // Columns are gathered in one pass over the rows in order (each row's key is
  // read once, not once per dimension), into arrays sized up front.
  out.time.resize(rows_);
  std::vector<column_data> cols(ndims_);
  for (size_t d = 0; d < ndims_; ++d) {
    const auto& def = schema_->dimensions[d];
    auto& col = cols[d];
    col.name = def.name;
    col.type = static_cast<column_type>(def.type);
    if (def.type == dim_type::string) {
      for (auto id : sorted_ids[d]) col.dictionary.push_back(dicts_[d].strings.value(id));
      col.multi_value = !dicts_[d].arrays.empty();
      if (col.multi_value) {
        col.offsets.reserve(rows_ + 1);
        col.offsets.push_back(0);
        col.ids.reserve(rows_);
      } else {
        col.ids.resize(rows_);
      }
    } else {
      col.nulls.resize(rows_);
      if (def.type == dim_type::long_)
        col.longs.resize(rows_);
      else
        col.doubles.resize(rows_);
    }
  }
  std::vector<bool> any_null(ndims_, false);
  // Rows are read in sorted order, scattered over the store: each one is
  // fetched into the cache a few rows ahead.
  constexpr size_t ahead = 8;
  for (size_t i = 0; i < rows_; ++i) {
    if (i + ahead < rows_) __builtin_prefetch(keys_.row(order[i + ahead]));
    const uint32_t* k = keys_.row(order[i]);
    out.time[i] = get64(k, 0);
    for (size_t d = 0; d < ndims_; ++d) {
      auto& col = cols[d];
      bool null = is_null(k, d);
      if (col.type == column_type::string) {
        if (col.multi_value) {
          if (!null)
            for (auto rk : ranks_of(k, d)) col.ids.push_back(rk);
          col.offsets.push_back(static_cast<uint32_t>(col.ids.size()));
        } else {
          col.ids[i] = null ? 0 : rank[d][*value_at(k, d)];
        }
        continue;
      }
      if (null) any_null[d] = true;
      col.nulls[i] = null;
      int64_t v = null ? 0 : get64(value_at(k, d), 0);
      if (col.type == column_type::long_)
        col.longs[i] = v;
      else
        std::memcpy(&col.doubles[i], &v, sizeof v);  // 0 bits: 0.0
    }
  }
  for (size_t d = 0; d < ndims_; ++d) {
    if (cols[d].type != column_type::string && !any_null[d]) cols[d].nulls.clear();
    out.dimensions.push_back(std::move(cols[d]));
  }
  std::vector<column_data> mcols(nmetrics_);
  std::vector<bool> m_null(nmetrics_, false);
  for (size_t m = 0; m < nmetrics_; ++m) {
    const auto& def = schema_->metrics[m];
    auto& col = mcols[m];
    col.name = def.name;
    col.aggregator = def.agg.type_name();
    col.type = def.agg.type() == num_type::long_    ? column_type::long_
               : def.agg.type() == num_type::float_ ? column_type::float_
                                                    : column_type::double_;
    col.nulls.resize(rows_);
    if (col.type == column_type::long_)
      col.longs.resize(rows_);
    else
      col.doubles.resize(rows_);
    if (def.agg.has_time()) col.times.resize(rows_);
  }
  for (size_t i = 0; i < rows_; ++i) {
    if (i + ahead < rows_) __builtin_prefetch(aggs_.row(order[i + ahead]));
    const agg_state* states = aggs_.row(order[i]);
    for (size_t m = 0; m < nmetrics_; ++m) {
      const auto& def = schema_->metrics[m];
      auto& col = mcols[m];
      const agg_state& st = states[m];
      bool null = def.agg.empty(st);
      if (null) m_null[m] = true;
      col.nulls[i] = null;
      if (col.type == column_type::long_)
        col.longs[i] = null ? 0 : st.l;
      else
        col.doubles[i] = null ? 0.0 : st.d;
      if (!col.times.empty()) col.times[i] = st.time;
    }
  }
  for (size_t m = 0; m < nmetrics_; ++m) {
    if (!m_null[m]) mcols[m].nulls.clear();
    out.metrics.push_back(std::move(mcols[m]));
  }
  return out;
}

}  // namespace sv::core::ingest
