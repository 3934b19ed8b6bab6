#pragma once
// dataSchema of a supervisor spec: dataSource, timestampSpec, dimensionsSpec,
// metricsSpec, granularitySpec, transformSpec — with Druid's defaults. Fields
// the model does not know are kept in `extra` and printed back.

#include <optional>
#include <string>
#include <vector>

#include "core/spec/field_io.hpp"

namespace sv::core {

struct timestamp_spec {
  std::string column = "timestamp";  ///< input field holding the event time
  std::string format =
      "auto";  ///< auto, iso, millis, posix, micro, nano, or a Joda pattern
  std::optional<std::string> missing_value;  ///< date-time used when the column is absent
  json::object extra;
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("column", x.column);
    f("format", x.format);
    f("missingValue", x.missing_value);
  }
};

/// One dimension. Posted either as a bare name ("page") or an object.
struct dimension_spec {
  std::string type =
      "string";  ///< string, long, float, double (json, auto kept as posted)
  std::string name;
  json::object extra;  ///< multiValueHandling, createBitmapIndex, ...
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("type", x.type);
    f("name", x.name);
  }
};
bool read_value(const json& in, dimension_spec& out, const std::string& path,
                std::vector<problem>& ps);

struct dimensions_spec {
  std::vector<dimension_spec> dimensions;  ///< empty = schemaless (every other field)
  std::vector<std::string> dimension_exclusions;
  std::optional<json> spatial_dimensions;
  std::optional<bool> include_all_dimensions;
  std::optional<bool> use_schema_discovery;
  json::object extra;
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("dimensions", x.dimensions);
    f("dimensionExclusions", x.dimension_exclusions);
    f("spatialDimensions", x.spatial_dimensions);
    f("includeAllDimensions", x.include_all_dimensions);
    f("useSchemaDiscovery", x.use_schema_discovery);
  }
};

/// One metricsSpec entry (an aggregator).
struct aggregator_spec {
  std::string type;                       ///< count, longSum, doubleMax, ...
  std::string name;                       ///< output column
  std::optional<std::string> field_name;  ///< input field (not for count)
  json::object extra;                     ///< expression, ...
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("type", x.type);
    f("name", x.name);
    if (x.type != "count") f("fieldName", x.field_name);
  }
};

struct granularity_spec {
  std::string type = "uniform";
  granularity segment_granularity = *parse_granularity_name("DAY");
  granularity query_granularity = *parse_granularity_name("NONE");
  bool rollup = true;
  std::optional<std::vector<std::string>> intervals;
  json::object extra;
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("type", x.type);
    f("segmentGranularity", x.segment_granularity);
    f("queryGranularity", x.query_granularity);
    f("rollup", x.rollup);
    f("intervals", x.intervals);
  }
};

struct transform_spec {
  std::optional<json> filter;  ///< selector, in, bound, not, and, or
  std::vector<json> transforms;
  json::object extra;
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("filter", x.filter);
    f("transforms", x.transforms);
  }
};

struct data_schema {
  std::string data_source;
  timestamp_spec timestamp;
  dimensions_spec dimensions;
  std::vector<aggregator_spec> metrics;
  granularity_spec granularity;
  transform_spec transform;
  json::object extra;  ///< parser (legacy), ...
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("dataSource", x.data_source);
    f("timestampSpec", x.timestamp);
    f("dimensionsSpec", x.dimensions);
    f("metricsSpec", x.metrics);
    f("granularitySpec", x.granularity);
    f("transformSpec", x.transform);
  }
};

/// Appends the problems of a dataSchema found at `path`.
void validate(const data_schema& x, const std::string& path, std::vector<problem>& ps);

}  // namespace sv::core
