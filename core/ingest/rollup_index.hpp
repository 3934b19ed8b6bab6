#pragma once
// The in-memory rollup index (Druid's incremental index): rows keyed by
// (truncated time, dimension values) with aggregator states. String values
// are dictionary-encoded; with rollup, a row whose key exists folds into it.
// Dimensions discovered later (schemaless) widen the index; earlier rows hold
// null for them. to_segment() returns every row sorted by (time, dimensions).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ingest/interner.hpp"
#include "core/ingest/row_store.hpp"
#include "core/ingest/schema.hpp"
#include "core/segment/segment_data.hpp"

namespace sv::core::ingest {

class rollup_index {
 public:
  explicit rollup_index(const schema& s);

  /// Starts a row at `time` (already truncated to queryGranularity).
  void begin_row(int64_t time);
  void set_null(size_t dim);
  void set_string(size_t dim, std::string_view value);
  /// A boolean, as the string "true" or "false" (its id kept at hand).
  void set_bool(size_t dim, bool v);
  void set_strings(size_t dim, const std::vector<std::string_view>& values);
  void set_long(size_t dim, int64_t v);
  void set_double(size_t dim, double v);
  /// Finds or creates the row; returns its aggregator states (one per metric).
  agg_state* commit_row();
  /// The same, then each metric's aggregator folds `inputs[m]` at `event_time`,
  /// but the row may be finished a few rows later: its table slot, then the
  /// row its hash points to, are fetched into the cache while the next rows
  /// are parsed, so the lookup does not wait on memory. Rows are finished in
  /// the order they came. flush() finishes every staged row; until then no
  /// reader of the index (rows(), to_segment(), ...) sees them.
  void stage_row(const num_value* inputs, int64_t event_time);
  void flush() {
    while (staged_n_ > 0) finish_oldest();
  }
  /// Rows staged and not yet finished.
  size_t staged() const { return staged_n_; }

  size_t rows() const { return rows_; }
  /// A rough count of the bytes the index holds (for maxBytesInMemory).
  size_t bytes() const;
  bool empty() const { return rows_ == 0; }

  /// Every row, sorted, as segment columns (interval left unset).
  segment_data to_segment() const;

  void clear();

  /// Reads the schema `s` from now on: a copy of the one the index was built
  /// with (a background persist works on a snapshot while ingestion goes on and
  /// may discover dimensions), or the live one again when the index is reused.
  void rebind(const schema& s) { schema_ = &s; }

 private:
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct dictionary {
    string_interner strings;
    std::map<std::vector<uint32_t>, uint32_t> array_ids;
    std::vector<std::vector<uint32_t>> arrays;  ///< multi-value combinations
    size_t bytes = 0;                           ///< of the arrays
    uint32_t bool_ids[2] = {0, 0};              ///< ids of "false" and "true" once seen
  };

  // A row's key, in 32-bit words: the time (two words), a null bit per
  // dimension, then each dimension's value: one word for a string (its
  // dictionary id, or multi_flag | the id of its value list), two for a
  // number (the long or the double's bits).
  static constexpr uint32_t multi_flag = uint32_t{1} << 31;

  void sync_dimensions();
  size_t width() const { return 2 + mask_words_ + value_words_; }
  uint32_t* value_at(uint32_t* key, size_t dim) const {
    return key + 2 + mask_words_ + offsets_[dim];
  }
  const uint32_t* value_at(const uint32_t* key, size_t dim) const {
    return key + 2 + mask_words_ + offsets_[dim];
  }
  uint32_t encode(size_t dim, std::string_view v);
  uint64_t hash_key(const uint32_t* key) const;
  /// The row of `key` (hash `h` when rolling up), created if new.
  int32_t find_or_insert(const uint32_t* key, uint64_t h);
  void finish_oldest();
  /// Fetches into the cache the row the table holds for hash `h`, if any.
  void prefetch_match(uint64_t h) const;
  /// A table of `capacity` slots over every row; `rekey` recomputes the
  /// rows' hashes (after their keys widened).
  void rehash(size_t capacity, bool rekey = false);

  const schema* schema_;
  size_t ndims_ = 0;
  size_t mask_words_ = 0;
  size_t value_words_ = 0;
  std::vector<uint32_t> offsets_;  ///< of each dimension's value, in words
  size_t nmetrics_ = 0;
  size_t rows_ = 0;
  std::vector<uint32_t> key_;      ///< the row being built
  row_store<uint32_t> keys_;       ///< rows_ x width()
  row_store<agg_state> aggs_;      ///< rows_ x nmetrics_
  std::vector<agg_state> fresh_;   ///< a new row's states (each metric's init)
  std::vector<uint64_t> table_;    ///< open addressing: hash tag | row + 1, 0 = empty
  row_store<uint64_t> hashes_{1};  ///< key hash of each row (rollup only)
  std::vector<dictionary> dicts_;

  // Rows staged by stage_row(), oldest at staged_head_ (a ring).
  static constexpr size_t stage_depth = 4;
  std::vector<uint32_t> staged_keys_;     ///< stage_depth x width()
  std::vector<num_value> staged_inputs_;  ///< stage_depth x nmetrics_
  uint64_t staged_hash_[stage_depth] = {};
  int64_t staged_time_[stage_depth] = {};
  size_t staged_head_ = 0;
  size_t staged_n_ = 0;
};

}  // namespace sv::core::ingest
