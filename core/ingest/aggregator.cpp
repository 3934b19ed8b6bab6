#include "core/ingest/aggregator.hpp"

#include <limits>

#include "core/errc.hpp"

namespace sv::core::ingest {

namespace {
constexpr int64_t no_time_first = std::numeric_limits<int64_t>::max();
constexpr int64_t no_time_last = std::numeric_limits<int64_t>::min();
}  // namespace

caf::expected<aggregator> aggregator::make(const std::string& type) {
  aggregator a;
  a.name_ = type;
  if (type == "count") {
    a.op_ = agg_op::count;
    a.type_ = num_type::long_;
    return a;
  }
  std::string_view t = type;
  if (t.starts_with("long")) {
    a.type_ = num_type::long_;
    t.remove_prefix(4);
  } else if (t.starts_with("double")) {
    a.type_ = num_type::double_;
    t.remove_prefix(6);
  } else if (t.starts_with("float")) {
    a.type_ = num_type::float_;
    t.remove_prefix(5);
  } else {
    return make_error(errc::invalid_input, "unknown aggregator '" + type + "'");
  }
  if (t == "Sum")
    a.op_ = agg_op::sum;
  else if (t == "Min")
    a.op_ = agg_op::min;
  else if (t == "Max")
    a.op_ = agg_op::max;
  else if (t == "First")
    a.op_ = agg_op::first;
  else if (t == "Last")
    a.op_ = agg_op::last;
  else
    return make_error(errc::invalid_input, "unknown aggregator '" + type + "'");
  return a;
}

void aggregator::init(agg_state& s) const {
  bool integral = type_ == num_type::long_;
  switch (op_) {
    case agg_op::count:
    case agg_op::sum:
      if (integral)
        s.l = 0;
      else
        s.d = 0.0;
      s.time = 0;
      break;
    case agg_op::min:
      if (integral)
        s.l = std::numeric_limits<int64_t>::max();
      else
        s.d = std::numeric_limits<double>::infinity();
      s.time = 0;  // 0 = no value yet
      break;
    case agg_op::max:
      if (integral)
        s.l = std::numeric_limits<int64_t>::min();
      else
        s.d = -std::numeric_limits<double>::infinity();
      s.time = 0;
      break;
    case agg_op::first:
      s.l = 0;
      s.time = no_time_first;
      break;
    case agg_op::last:
      s.l = 0;
      s.time = no_time_last;
      break;
  }
}

void aggregator::add(agg_state& s, const num_value& v, int64_t event_time) const {
  bool integral = type_ == num_type::long_;
  if (op_ == agg_op::count) {
    ++s.l;
    return;
  }
  if (!v.present) return;
  switch (op_) {
    case agg_op::sum:
      if (integral)
        s.l = java_add(s.l, v.as_long());
      else
        s.d += v.as_double();
      break;
    case agg_op::min:
      if (integral)
        s.l = std::min(s.l, v.as_long());
      else
        s.d = std::min(s.d, v.as_double());
      s.time = 1;
      break;
    case agg_op::max:
      if (integral)
        s.l = std::max(s.l, v.as_long());
      else
        s.d = std::max(s.d, v.as_double());
      s.time = 1;
      break;
    case agg_op::first:
      if (event_time < s.time) {
        s.time = event_time;
        if (integral)
          s.l = v.as_long();
        else
          s.d = v.as_double();
      }
      break;
    case agg_op::last:
      if (event_time >= s.time) {
        s.time = event_time;
        if (integral)
          s.l = v.as_long();
        else
          s.d = v.as_double();
      }
      break;
    case agg_op::count:
      break;
  }
}

void aggregator::combine(agg_state& into, const agg_state& o) const {
  bool integral = type_ == num_type::long_;
  switch (op_) {
    case agg_op::count:
      into.l = java_add(into.l, o.l);
      break;
    case agg_op::sum:
      if (integral)
        into.l = java_add(into.l, o.l);
      else
        into.d += o.d;
      break;
    case agg_op::min:
      if (o.time == 0) break;
      if (integral)
        into.l = std::min(into.l, o.l);
      else
        into.d = std::min(into.d, o.d);
      into.time = 1;
      break;
    case agg_op::max:
      if (o.time == 0) break;
      if (integral)
        into.l = std::max(into.l, o.l);
      else
        into.d = std::max(into.d, o.d);
      into.time = 1;
      break;
    case agg_op::first:
      if (o.time < into.time) into = o;
      break;
    case agg_op::last:
      if (o.time != no_time_last && o.time >= into.time) into = o;
      break;
  }
}

bool aggregator::empty(const agg_state& s) const {
  switch (op_) {
    case agg_op::min:
    case agg_op::max:
      return s.time == 0;
    case agg_op::first:
      return s.time == no_time_first;
    case agg_op::last:
      return s.time == no_time_last;
    default:
      return false;
  }
}

}  // namespace sv::core::ingest
