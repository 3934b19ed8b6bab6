#pragma once
// A segment's rows in columnar form, in memory: the __time column, dimension
// columns (strings dictionary-encoded with a sorted dictionary; numbers as
// typed arrays with a null mask) and metric columns (first/last keep the event
// time of their value). The segment writer and reader (adapters/segment)
// convert between this and the file format; core::merge and core::split work
// on it.

#include <cstdint>
#include <string>
#include <vector>

#include "core/ingest/aggregator.hpp"
#include "core/ingest/schema.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace sv::core {

enum class column_type : uint8_t { string, long_, float_, double_ };

std::string_view to_string(column_type t);
column_type column_type_of(std::string_view name);

struct column_data {
  std::string name;
  column_type type = column_type::string;

  // Strings: sorted unique values; per row the value index + 1, 0 = null.
  std::vector<std::string> dictionary;
  std::vector<uint32_t> ids;
  // Multi-value strings: row i holds ids[offsets[i] .. offsets[i+1]).
  bool multi_value = false;
  std::vector<uint32_t> offsets;

  // Numbers (float and double share `doubles`).
  std::vector<int64_t> longs;
  std::vector<double> doubles;
  std::vector<uint8_t> nulls;  ///< 1 = null; empty when no row is null

  // Metrics: aggregator type name ("longSum"), and the event time of each
  // value for first/last aggregators.
  std::string aggregator;
  std::vector<int64_t> times;

  bool is_null(size_t row) const { return !nulls.empty() && nulls[row] != 0; }
  /// The string values of a row (empty for null).
  std::vector<std::string_view> strings(size_t row) const;
};

struct segment_data {
  std::string data_source;
  utc_time start{};  ///< interval start (inclusive)
  utc_time end{};    ///< interval end (exclusive)
  bool rollup = true;
  std::string query_granularity = "NONE";
  std::vector<int64_t> time;
  std::vector<column_data> dimensions;
  std::vector<column_data> metrics;

  size_t rows() const { return time.size(); }
  const column_data* dimension(std::string_view name) const;
  const column_data* metric(std::string_view name) const;
  /// One row as JSON ({"__time": ..., dims..., metrics...}), for dumps and tests.
  json row_json(size_t row) const;
};

}  // namespace sv::core
