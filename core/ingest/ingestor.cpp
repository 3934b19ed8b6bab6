#include "core/ingest/ingestor.hpp"

#include <charconv>
#include <cmath>

#include "core/errc.hpp"

namespace sv::core::ingest {

namespace {

// How a value that is not a number is quoted in an error: by its kind, never
// from a part of the slot the kind does not use (those may be left from an
// earlier record).
void describe(const raw_value& v, const row_buffer& row, std::string& out) {
  switch (v.kind) {
    case value_kind::string:
      out += v.text.empty() ? std::string_view{"?"} : v.text;
      break;
    case value_kind::boolean:
      out += v.boolean ? "true" : "false";
      break;
    case value_kind::array:
      out += '[';
      for (uint32_t i = 0; i < v.items_count; ++i) {
        if (i > 0) out += ", ";
        out += row.items[v.items_begin + i];
      }
      out += ']';
      break;
    default:
      out += '?';
      break;
  }
}

// Reads a numeric value for a long/float/double column.
bool to_number(const raw_value& v, const row_buffer& row, num_value& out,
               std::string& error, std::string_view field) {
  out = num_value{};
  switch (v.kind) {
    case value_kind::absent:
    case value_kind::null:
      return true;
    case value_kind::integer:
      out.present = true;
      out.l = v.integer;
      return true;
    case value_kind::real:
      out.present = true;
      out.is_double = true;
      out.d = v.real;
      return true;
    case value_kind::string: {
      auto s = v.text;
      if (s.empty()) return true;
      int64_t l = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), l);
      if (ec == std::errc{} && p == s.data() + s.size()) {
        out.present = true;
        out.l = l;
        return true;
      }
      double d = 0;
      auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec2 == std::errc{} && p2 == s.data() + s.size() && std::isfinite(d)) {
        out.present = true;
        out.is_double = true;
        out.d = d;
        return true;
      }
      break;
    }
    default:
      break;
  }
  if (!error.empty()) error += "; ";
  error += "could not convert value [";
  describe(v, row, error);
  error += "] of field [";
  error += field;
  error += "] to a number";
  return false;
}

}  // namespace

row_result ingestor::add(const row_buffer& row, rollup_index& index, bool staged) {
  row_result result;
  auto t = schema_.timestamp.parse(row[static_cast<size_t>(schema_.timestamp_slot)]);
  if (!t) {
    result.outcome = row_outcome::unparseable;
    result.error = "Timestamp could not be parsed: " + error_message(t.error());
    return result;
  }
  if ((window_.min_time && *t < *window_.min_time) ||
      (window_.max_time && *t > *window_.max_time)) {
    result.outcome = row_outcome::thrown_away;
    return result;
  }
  if (schema_.has_filter && !schema_.filter.matches(row)) {
    result.outcome = row_outcome::thrown_away;
    return result;
  }
  int64_t event = t->time_since_epoch().count();
  if (!bucket_known_ || *t < bucket_lo_ || *t >= bucket_hi_) {
    bucket_lo_ = schema_.query_granularity.bucket_start(*t);
    bucket_hi_ = schema_.query_granularity.next(bucket_lo_);
    bucket_known_ = bucket_hi_ > bucket_lo_;
  }
  index.begin_row(bucket_lo_.time_since_epoch().count());
  std::string& error = result.error;
  for (size_t d = 0; d < schema_.dimensions.size(); ++d) {
    const auto& def = schema_.dimensions[d];
    const raw_value& v = row[static_cast<size_t>(def.slot)];
    if (def.type == dim_type::string) {
      switch (v.kind) {
        case value_kind::absent:
        case value_kind::null:
          index.set_null(d);
          break;
        case value_kind::boolean:
          index.set_bool(d, v.boolean);
          break;
        case value_kind::array:
          items_.assign(row.items.begin() + v.items_begin,
                        row.items.begin() + v.items_begin + v.items_count);
          index.set_strings(d, items_);
          break;
        default:
          index.set_string(d, v.text);
          break;
      }
      continue;
    }
    num_value n;
    if (!to_number(v, row, n, error, def.name) || !n.present) {
      index.set_null(d);
    } else if (def.type == dim_type::long_) {
      index.set_long(d, n.as_long());
    } else if (def.type == dim_type::float_) {
      index.set_double(d, static_cast<double>(static_cast<float>(n.as_double())));
    } else {
      index.set_double(d, n.as_double());
    }
  }
  // Metric inputs are read before the row is committed so a bad value is
  // reported without touching the index twice.
  inputs_.resize(schema_.metrics.size());
  num_value* in = inputs_.data();
  for (size_t m = 0; m < schema_.metrics.size(); ++m) {
    const auto& def = schema_.metrics[m];
    in[m] = num_value{};

    if (def.slot < 0) continue;
    to_number(row[static_cast<size_t>(def.slot)], row, in[m], error, def.name);
  }
  if (staged) {
    index.stage_row(in, event);
  } else {
    agg_state* states = index.commit_row();
    for (size_t m = 0; m < schema_.metrics.size(); ++m)
      schema_.metrics[m].agg.add(states[m], in[m], event);
  }
  result.outcome =
      error.empty() ? row_outcome::processed : row_outcome::processed_with_error;
  result.time = event;
  return result;
}

}  // namespace sv::core::ingest
