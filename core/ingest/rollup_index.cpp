#include "core/ingest/rollup_index.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/ingest/key_words.hpp"

namespace sv::core::ingest {

namespace {

// Two keys of `n` words, compared 8 bytes at a time without a call into libc
// (a probe compares only keys whose hash tags matched: nearly always equal).
bool same_key(const uint32_t* a, const uint32_t* b, size_t n) {
  uint64_t diff = 0;
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    uint64_t x, y;
    std::memcpy(&x, a + i, sizeof x);
    std::memcpy(&y, b + i, sizeof y);
    diff |= x ^ y;
  }
  if (i < n) diff |= a[i] ^ b[i];
  return diff == 0;
}

}  // namespace

rollup_index::rollup_index(const schema& s)
    : schema_(&s),
      nmetrics_(s.metrics.size()),
      aggs_(nmetrics_),
      fresh_(nmetrics_),
      staged_inputs_(stage_depth * nmetrics_) {
  for (size_t m = 0; m < nmetrics_; ++m) s.metrics[m].agg.init(fresh_[m]);
  sync_dimensions();
  rehash(1024);
}

void rollup_index::sync_dimensions() {
  size_t n = schema_->dimensions.size();
  if (n == ndims_ && !key_.empty()) return;
  size_t old_mask = mask_words_;
  size_t old_values = value_words_;
  size_t old_dims = ndims_;
  ndims_ = n;
  mask_words_ = (n + 31) / 32;
  // Dimensions only ever join at the end: the earlier ones keep their place
  // in the value words.
  offsets_.resize(n);
  for (size_t d = old_dims; d < n; ++d) {
    offsets_[d] = static_cast<uint32_t>(value_words_);
    value_words_ += schema_->dimensions[d].type == dim_type::string ? 1 : 2;
  }
  dicts_.resize(n);
  key_.assign(width(), 0);
  staged_keys_.assign(stage_depth * width(), 0);  // nothing is staged here
  if (rows_ == 0) {
    keys_.set_width(width());
    return;
  }
  // Widen every stored key; earlier rows are null in the new dimensions.
  row_store<uint32_t> wider(width());
  for (size_t r = 0; r < rows_; ++r) {
    const uint32_t* from = keys_.row(r);
    uint32_t* to = wider.append();
    std::fill(to, to + width(), 0u);
    to[0] = from[0];
    to[1] = from[1];
    std::memcpy(to + 2, from + 2, old_mask * sizeof(uint32_t));
    for (size_t d = old_dims; d < ndims_; ++d) to[2 + d / 32] |= uint32_t{1} << (d % 32);
    std::memcpy(to + 2 + mask_words_, from + 2 + old_mask, old_values * sizeof(uint32_t));
  }
  keys_ = std::move(wider);
  rehash(table_.size(), true);
}

void rollup_index::begin_row(int64_t time) {
  if (schema_->dimensions.size() != ndims_) {
    flush();  // staged keys have the old width
    sync_dimensions();
  }
  std::fill(key_.begin(), key_.end(), 0u);
  put64(key_.data(), 0, time);
}

void rollup_index::set_null(size_t dim) {
  key_[2 + dim / 32] |= uint32_t{1} << (dim % 32);
  uint32_t* v = value_at(key_.data(), dim);
  v[0] = 0;
  if (schema_->dimensions[dim].type != dim_type::string) v[1] = 0;
}

uint32_t rollup_index::encode(size_t dim, std::string_view v) {
  return dicts_[dim].strings.intern(v);
}

void rollup_index::set_string(size_t dim, std::string_view value) {
  *value_at(key_.data(), dim) = encode(dim, value);
}

void rollup_index::set_bool(size_t dim, bool v) {
  auto& d = dicts_[dim];
  uint32_t& id = d.bool_ids[v ? 1 : 0];
  if (id == 0)
    id = d.strings.intern(v ? std::string_view{"true"} : std::string_view{"false"});
  *value_at(key_.data(), dim) = id;
}

void rollup_index::set_strings(size_t dim, const std::vector<std::string_view>& values) {
  if (values.empty()) return set_null(dim);
  if (values.size() == 1) return set_string(dim, values[0]);
  std::vector<std::string_view> sorted = values;  // Druid's SORTED_ARRAY
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint32_t> ids;
  ids.reserve(sorted.size());
  for (auto v : sorted) ids.push_back(encode(dim, v));
  auto& d = dicts_[dim];
  auto [it, fresh] = d.array_ids.emplace(ids, static_cast<uint32_t>(d.arrays.size()));
  if (fresh) {
    d.arrays.push_back(ids);
    d.bytes += ids.size() * 8 + 64;
  }
  *value_at(key_.data(), dim) = multi_flag | it->second;
}

void rollup_index::set_long(size_t dim, int64_t v) {
  put64(value_at(key_.data(), dim), 0, v);
}

void rollup_index::set_double(size_t dim, double v) {
  int64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  put64(value_at(key_.data(), dim), 0, bits);
}

uint64_t rollup_index::hash_key(const uint32_t* key) const {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  size_t n = width(), i = 0;
  for (; i + 2 <= n; i += 2) {
    uint64_t w;
    std::memcpy(&w, key + i, sizeof w);
    h ^= w + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
  }
  if (i < n) {
    h ^= uint64_t{key[i]} + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
  }
  return h ^ (h >> 31);
}

// A table entry: the key hash's upper half beside row + 1 (0 = empty), so a
// probe compares hashes without reading the row.
namespace {
constexpr uint64_t entry(uint64_t h, size_t row) {
  return (h & 0xFFFFFFFF00000000ull) | (static_cast<uint64_t>(row) + 1);
}
}  // namespace

void rollup_index::rehash(size_t capacity, bool rekey) {
  table_.assign(capacity, 0);
  if (!schema_->rollup) return;
  if (rekey) {  // the keys changed shape: their hashes too
    row_store<uint64_t> fresh(1);
    for (size_t r = 0; r < rows_; ++r) *fresh.append() = hash_key(keys_.row(r));
    hashes_ = std::move(fresh);
  }
  size_t mask = capacity - 1;
  for (size_t r = 0; r < rows_; ++r) {
    uint64_t h = *hashes_.row(r);
    size_t i = h & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = entry(h, r);
  }
}

int32_t rollup_index::find_or_insert(const uint32_t* key, uint64_t h) {
  size_t w = width();
  if (schema_->rollup) {
    uint64_t tag = h & 0xFFFFFFFF00000000ull;
    size_t mask = table_.size() - 1;
    size_t i = h & mask;
    for (uint64_t e; (e = table_[i]) != 0; i = (i + 1) & mask) {
      if ((e & 0xFFFFFFFF00000000ull) != tag) continue;
      auto r = static_cast<size_t>((e & 0xFFFFFFFFull) - 1);
      if (same_key(keys_.row(r), key, w)) return static_cast<int32_t>(r);
    }
    table_[i] = entry(h, rows_);
    *hashes_.append() = h;
  }
  std::memcpy(keys_.append(), key, w * sizeof(uint32_t));
  std::memcpy(aggs_.append(), fresh_.data(), nmetrics_ * sizeof(agg_state));
  auto row = static_cast<int32_t>(rows_++);
  if (schema_->rollup && rows_ * 2 > table_.size()) rehash(table_.size() * 2);
  return row;
}

agg_state* rollup_index::commit_row() {
  flush();  // rows are finished in the order they came
  uint64_t h = schema_->rollup ? hash_key(key_.data()) : 0;
  return aggs_.row(static_cast<size_t>(find_or_insert(key_.data(), h)));
}

void rollup_index::prefetch_match(uint64_t h) const {
  uint64_t tag = h & 0xFFFFFFFF00000000ull;
  size_t mask = table_.size() - 1;
  size_t i = h & mask;
  for (int probes = 0; probes < 4; ++probes, i = (i + 1) & mask) {
    uint64_t e = table_[i];
    if (e == 0) return;  // a new row: appended where the last one was
    if ((e & 0xFFFFFFFF00000000ull) != tag) continue;
    auto r = static_cast<size_t>((e & 0xFFFFFFFFull) - 1);
    const uint32_t* k = keys_.row(r);
    const agg_state* a = aggs_.row(r);
    __builtin_prefetch(k);
    __builtin_prefetch(k + width() - 1);
    __builtin_prefetch(a);
    __builtin_prefetch(a + nmetrics_ - 1);
    return;
  }
}

void rollup_index::stage_row(const num_value* inputs, int64_t event_time) {
  size_t w = width();
  uint64_t h = 0;
  if (schema_->rollup) {
    h = hash_key(key_.data());
    __builtin_prefetch(&table_[h & (table_.size() - 1)]);
    // The row staged before this one has its slot in the cache by now.
    if (staged_n_ > 0)
      prefetch_match(staged_hash_[(staged_head_ + staged_n_ - 1) % stage_depth]);
  }
  if (staged_n_ == stage_depth) finish_oldest();
  size_t at = (staged_head_ + staged_n_) % stage_depth;
  std::memcpy(&staged_keys_[at * w], key_.data(), w * sizeof(uint32_t));
  std::copy(inputs, inputs + nmetrics_, &staged_inputs_[at * nmetrics_]);
  staged_hash_[at] = h;
  staged_time_[at] = event_time;
  ++staged_n_;
}

void rollup_index::finish_oldest() {
  size_t at = staged_head_;
  auto r = find_or_insert(&staged_keys_[at * width()], staged_hash_[at]);
  agg_state* states = aggs_.row(static_cast<size_t>(r));
  const num_value* in = &staged_inputs_[at * nmetrics_];
  for (size_t m = 0; m < nmetrics_; ++m)
    schema_->metrics[m].agg.add(states[m], in[m], staged_time_[at]);
  staged_head_ = (staged_head_ + 1) % stage_depth;
  --staged_n_;
}

size_t rollup_index::bytes() const {
  size_t b = keys_.capacity_bytes() + aggs_.capacity_bytes() + hashes_.capacity_bytes() +
             table_.capacity() * sizeof(uint64_t);
  for (const auto& d : dicts_) b += d.bytes + d.strings.bytes();
  return b;
}

void rollup_index::clear() {
  rows_ = 0;
  staged_n_ = 0;  // dropped with every other row
  keys_.clear();
  hashes_.clear();
  aggs_.clear();
  for (auto& d : dicts_) d = dictionary{};
  // An index reused after a persist fills up again: keep its table's size
  // rather than growing it back step by step.
  rehash(std::max<size_t>(table_.size(), 1024));
}

}  // namespace sv::core::ingest
