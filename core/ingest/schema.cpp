#include "core/ingest/schema.hpp"

#include "core/errc.hpp"

namespace sv::core::ingest {

dim_type dim_type_of(const std::string& name) {
  if (name == "long") return dim_type::long_;
  if (name == "float") return dim_type::float_;
  if (name == "double") return dim_type::double_;
  return dim_type::string;
}

std::string_view to_string(dim_type t) {
  switch (t) {
    case dim_type::string:
      return "string";
    case dim_type::long_:
      return "long";
    case dim_type::float_:
      return "float";
    case dim_type::double_:
      return "double";
  }
  return "string";
}

int32_t schema::add_slot(std::string name) {
  auto slot = static_cast<int32_t>(slot_names_.size());
  slots_.emplace(name, slot);
  slot_names_.push_back(std::move(name));
  return slot;
}

int32_t schema::slot_of(std::string_view name) {
  if (auto i = slots_.find(name); i != slots_.end()) {
    auto slot = i->second;
    // A field only the filter read so far: in schemaless mode it is data too.
    if (static_cast<size_t>(slot) < maybe_dim_.size() && maybe_dim_[slot]) {
      maybe_dim_[slot] = false;
      dimensions.push_back(dimension_def{std::string{name}, dim_type::string, slot});
    }
    return slot;
  }
  if (!schemaless_ || excluded_.find(name) != excluded_.end()) return -1;
  // A new field in schemaless mode: a string dimension.
  auto slot = add_slot(std::string{name});
  dimensions.push_back(dimension_def{std::string{name}, dim_type::string, slot});
  return slot;
}

caf::expected<schema> schema::make(const data_schema& ds) {
  schema s;
  s.data_source = ds.data_source;
  std::optional<utc_time> missing;
  if (ds.timestamp.missing_value) {
    auto t = parse_utc_time(*ds.timestamp.missing_value);
    if (!t) return t.error();
    missing = *t;
  }
  auto ts = timestamp_parser::make(ds.timestamp.format, missing);
  if (!ts) return ts.error();
  s.timestamp = std::move(*ts);
  s.timestamp_slot = s.add_slot(ds.timestamp.column);
  for (const auto& m : ds.metrics) {
    auto agg = aggregator::make(m.type);
    if (!agg) return agg.error();
    int32_t slot = -1;
    if (m.type != "count" && m.field_name) {
      auto i = s.slots_.find(*m.field_name);
      slot = i != s.slots_.end() ? i->second : s.add_slot(*m.field_name);
    }
    s.metrics.push_back(metric_def{m.name, *agg, slot});
  }
  s.schemaless_ = ds.dimensions.dimensions.empty();
  for (const auto& d : ds.dimensions.dimensions) {
    auto i = s.slots_.find(d.name);
    auto slot = i != s.slots_.end() ? i->second : s.add_slot(d.name);
    s.dimensions.push_back(dimension_def{d.name, dim_type_of(d.type), slot});
  }
  if (s.schemaless_) {
    // Not dimensions: the timestamp column, metric inputs and exclusions.
    for (const auto& [name, slot] : s.slots_) s.excluded_.emplace(name, true);
    for (const auto& x : ds.dimensions.dimension_exclusions) s.excluded_.emplace(x, true);
    for (const auto& m : ds.metrics) s.excluded_.emplace(m.name, true);
  }
  if (ds.transform.filter) {
    // Fields a filter reads are slots, never discovered dimensions.
    bool was = s.schemaless_;
    s.schemaless_ = false;
    struct registering : field_router {
      schema& s;
      explicit registering(schema& x) : s(x) {}
      int32_t slot_of(std::string_view name) override {
        if (auto i = s.slots_.find(name); i != s.slots_.end()) return i->second;
        return s.add_slot(std::string{name});
      }
      size_t slot_count() const override { return s.slot_count(); }
    } reg{s};
    auto before = s.slot_count();
    auto f = row_filter::compile(*ds.transform.filter, reg);
    s.schemaless_ = was;
    if (!f) return f.error();
    if (s.schemaless_) {
      s.maybe_dim_.assign(s.slot_count(), false);
      for (auto slot = before; slot < s.slot_count(); ++slot)
        s.maybe_dim_[slot] = s.excluded_.find(s.slot_names_[slot]) == s.excluded_.end();
    }

    s.filter = std::move(*f);
    s.has_filter = true;
  }
  s.query_granularity = ds.granularity.query_granularity;
  s.segment_granularity = ds.granularity.segment_granularity;
  s.rollup = ds.granularity.rollup;
  return s;
}

}  // namespace sv::core::ingest
