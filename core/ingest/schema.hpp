#pragma once
// The ingestion schema compiled from a supervisor spec's dataSchema: which
// input fields matter (slots), the timestamp parser, dimensions, metrics, the
// filter and the granularities. With an empty dimension list it discovers
// dimensions: every field that is not the timestamp, a metric input or
// excluded becomes a string dimension, in first-seen order.

#include <string>
#include <unordered_map>
#include <vector>

#include <caf/expected.hpp>

#include "core/granularity.hpp"
#include "core/ingest/aggregator.hpp"
#include "core/ingest/filter.hpp"
#include "core/ingest/timestamp_parser.hpp"
#include "core/spec/data_schema.hpp"

namespace sv::core::ingest {

enum class dim_type : uint8_t { string, long_, float_, double_ };

struct dimension_def {
  std::string name;
  dim_type type = dim_type::string;
  int32_t slot = -1;
};

struct metric_def {
  std::string name;
  aggregator agg;
  int32_t slot = -1;  ///< input field; -1 for count
};

class schema final : public field_router {
 public:
  static caf::expected<schema> make(const data_schema& ds);

  int32_t slot_of(std::string_view name) override;
  size_t slot_count() const override { return slot_names_.size(); }

  int32_t timestamp_slot = -1;
  timestamp_parser timestamp;
  std::vector<dimension_def> dimensions;
  std::vector<metric_def> metrics;
  row_filter filter;
  bool has_filter = false;
  granularity query_granularity;
  granularity segment_granularity;
  bool rollup = true;
  std::string data_source;

  /// True when dimensions are discovered from the data.
  bool schemaless() const { return schemaless_; }

 private:
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  int32_t add_slot(std::string name);

  std::unordered_map<std::string, int32_t, string_hash, std::equal_to<>> slots_;
  std::vector<std::string> slot_names_;
  std::unordered_map<std::string, bool, string_hash, std::equal_to<>> excluded_;
  bool schemaless_ = false;
  std::vector<bool> maybe_dim_;  ///< schemaless: filter-only slots not yet seen as data
};

dim_type dim_type_of(const std::string& name);
std::string_view to_string(dim_type t);

}  // namespace sv::core::ingest
