#include "core/spec/data_schema.hpp"

#include <set>

#include "core/errc.hpp"
#include "core/spec/check.hpp"

namespace sv::core {

bool read_value(const json& in, dimension_spec& out, const std::string& path,
                std::vector<problem>& ps) {
  if (in.is_string()) {
    out.name = in.as_string();
    return true;
  }
  if (!in.is_object()) {
    ps.push_back(problem{path, "must be a dimension name or object (got " +
                                   std::string{in.type_name()} + ")"});
    return false;
  }
  field_reader r{in.as_object(), path, ps};
  dimension_spec::fields(out, r);
  out.extra = r.extras();
  return true;
}

namespace {

bool known_timestamp_format(const std::string& f) {
  if (f == "auto" || f == "iso" || f == "millis" || f == "posix" || f == "micro" ||
      f == "nano" || f == "ruby")
    return true;
  // A Joda pattern: letters are pattern symbols; text in single quotes is literal.
  static const std::string symbols = "GCYxwwEeyDMdaKhHkmsSzZ";
  bool quoted = false, any_symbol = false;
  for (char c : f) {
    if (c == '\'') {
      quoted = !quoted;
      continue;
    }
    if (quoted) continue;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (symbols.find(c) == std::string::npos) return false;
      any_symbol = true;
    }
  }
  return !quoted && any_symbol;
}

void validate_filter(const json& f, const std::string& path, std::vector<problem>& ps) {
  if (!f.is_object()) {
    check::add(ps, path, "must be a filter object");
    return;
  }
  const json* type = f.find("type");
  if (!type || !type->is_string()) {
    check::add(ps, join_path(path, "type"),
               "required (selector, in, bound, not, and or or)");
    return;
  }
  const auto& t = type->as_string();
  auto need_string = [&](std::string_view key) {
    const json* v = f.find(key);
    if (!v || !v->is_string() || v->as_string().empty())
      check::add(ps, join_path(path, key), "required for a " + t + " filter");
  };
  if (t == "selector") {
    need_string("dimension");
    if (const json* v = f.find("value");
        v && !(v->is_string() || v->is_number() || v->is_null()))
      check::add(ps, join_path(path, "value"), "must be a string, number or null");
  } else if (t == "in") {
    need_string("dimension");
    const json* vs = f.find("values");
    if (!vs || !vs->is_array())
      check::add(ps, join_path(path, "values"), "required: an array of values");
  } else if (t == "bound") {
    need_string("dimension");
    if (!f.find("lower") && !f.find("upper"))
      check::add(ps, path, "a bound filter needs \"lower\" or \"upper\"");
    if (const json* o = f.find("ordering"); o && o->is_string())
      check::one_of(o->as_string(),
                    {"lexicographic", "alphanumeric", "numeric", "strlen"},
                    join_path(path, "ordering"), ps);
  } else if (t == "not") {
    const json* field = f.find("field");
    if (!field)
      check::add(ps, join_path(path, "field"), "required for a not filter");
    else
      validate_filter(*field, join_path(path, "field"), ps);
  } else if (t == "and" || t == "or") {
    const json* fields = f.find("fields");
    if (!fields || !fields->is_array() || fields->as_array().empty()) {
      check::add(ps, join_path(path, "fields"), "required: a non-empty array of filters");
      return;
    }
    for (size_t i = 0; i < fields->as_array().size(); ++i)
      validate_filter(fields->as_array()[i],
                      join_path(path, "fields") + "[" + std::to_string(i) + "]", ps);
  } else {
    check::add(ps, join_path(path, "type"),
               "unsupported filter type '" + t +
                   "' (supported: selector, in, bound, not, and, or)");
  }
}

const std::set<std::string>& aggregator_types() {
  static const std::set<std::string> types = {
      "count",       "longSum",    "doubleSum",  "floatSum", "longMin",   "longMax",
      "doubleMin",   "doubleMax",  "floatMin",   "floatMax", "longFirst", "longLast",
      "doubleFirst", "doubleLast", "floatFirst", "floatLast"};
  return types;
}

}  // namespace

void validate(const data_schema& x, const std::string& path, std::vector<problem>& ps) {
  check::id(x.data_source, join_path(path, "dataSource"), ps);

  const auto ts = join_path(path, "timestampSpec");
  if (x.timestamp.column.empty())
    check::add(ps, join_path(ts, "column"), "must not be empty");
  if (!known_timestamp_format(x.timestamp.format))
    check::add(
        ps, join_path(ts, "format"),
        "must be auto, iso, millis, posix, micro, nano or a Joda-style pattern (got '" +
            x.timestamp.format + "')");
  if (x.timestamp.missing_value) {
    if (auto t = parse_utc_time(*x.timestamp.missing_value); !t)
      check::add(ps, join_path(ts, "missingValue"), error_message(t.error()));
  }

  const auto ds = join_path(path, "dimensionsSpec");
  std::set<std::string> columns;
  for (size_t i = 0; i < x.dimensions.dimensions.size(); ++i) {
    const auto& d = x.dimensions.dimensions[i];
    auto dp = join_path(ds, "dimensions") + "[" + std::to_string(i) + "]";
    if (d.name.empty()) {
      check::add(ps, join_path(dp, "name"), "required");
      continue;
    }
    check::one_of(d.type, {"string", "long", "float", "double", "json", "auto"},
                  join_path(dp, "type"), ps);
    if (d.name == "__time")
      check::add(ps, join_path(dp, "name"), "'__time' is reserved for the timestamp");
    if (!columns.insert(d.name).second)
      check::add(ps, join_path(dp, "name"), "duplicate dimension '" + d.name + "'");
  }

  const auto ms = join_path(path, "metricsSpec");
  std::set<std::string> metric_names;
  for (size_t i = 0; i < x.metrics.size(); ++i) {
    const auto& m = x.metrics[i];
    auto mp = ms + "[" + std::to_string(i) + "]";
    if (m.type.empty()) {
      check::add(ps, join_path(mp, "type"), "required");
    } else if (!aggregator_types().count(m.type)) {
      check::add(
          ps, join_path(mp, "type"),
          "unknown aggregator '" + m.type +
              "' (count, longSum, doubleSum, floatSum, longMin, longMax, doubleMin, "
              "doubleMax, floatMin, floatMax, longFirst, longLast, doubleFirst, "
              "doubleLast, "
              "floatFirst or floatLast)");
    }
    if (m.name.empty()) {
      check::add(ps, join_path(mp, "name"), "required");
      continue;
    }
    if (m.type != "count" && !m.type.empty() && (!m.field_name || m.field_name->empty()))
      check::add(ps, join_path(mp, "fieldName"),
                 "required for a " + m.type + " aggregator");
    if (!metric_names.insert(m.name).second)
      check::add(ps, join_path(mp, "name"), "duplicate metric '" + m.name + "'");
    else if (columns.count(m.name))
      check::add(
          ps, join_path(mp, "name"),
          "'" + m.name + "' is already a dimension; a column can only be specified once");
  }

  const auto gs = join_path(path, "granularitySpec");
  check::one_of(x.granularity.type, {"uniform", "arbitrary"}, join_path(gs, "type"), ps);
  if (x.granularity.segment_granularity.k == granularity::kind::none)
    check::add(ps, join_path(gs, "segmentGranularity"), "must not be NONE");
  if (x.granularity.query_granularity.approximate_millis() >
      x.granularity.segment_granularity.approximate_millis())
    check::add(ps, join_path(gs, "queryGranularity"),
               "must not be coarser than segmentGranularity (" +
                   x.granularity.query_granularity.to_json().dump() + " > " +
                   x.granularity.segment_granularity.to_json().dump() + ")");

  const auto tf = join_path(path, "transformSpec");
  if (x.transform.filter)
    validate_filter(*x.transform.filter, join_path(tf, "filter"), ps);
  if (!x.transform.transforms.empty())
    check::add(ps, join_path(tf, "transforms"),
               "expression transforms are not supported; use filter only");
}

}  // namespace sv::core
