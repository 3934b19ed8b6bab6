#pragma once
// metricsSpec aggregators: count, {long,double,float}{Sum,Min,Max,First,Last}.
// An aggregator folds input values into a fixed-size state; states of rows
// with the same rollup key combine. First/last keep the value of the
// earliest/latest event time (ties: first seen / last seen).

#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>

namespace sv::core::ingest {

enum class agg_op : uint8_t { count, sum, min, max, first, last };
enum class num_type : uint8_t { long_, float_, double_ };

/// One aggregator's running value. `time` is used by first/last only.
struct agg_state {
  union {
    int64_t l;
    double d;
  };
  int64_t time;
  agg_state() : l(0), time(0) {}
};

/// Java's (long) cast of a double, which Druid's long columns and
/// aggregators apply: NaN is 0, values beyond the range saturate.
inline int64_t java_long(double d) {
  if (d != d) return 0;
  if (d >= 9223372036854775807.0) return INT64_MAX;
  if (d <= -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(d);
}

/// Java's long addition, which wraps around on overflow.
inline int64_t java_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

/// A numeric input value (long or double), or nothing.
struct num_value {
  bool present = false;
  bool is_double = false;
  int64_t l = 0;
  double d = 0;
  /// Java's (long) narrowing: NaN is 0, out-of-range values saturate.
  int64_t as_long() const { return is_double ? java_long(d) : l; }
  double as_double() const { return is_double ? d : static_cast<double>(l); }
};

class aggregator {
 public:
  /// From a metricsSpec type name ("longSum", "count", ...).
  static caf::expected<aggregator> make(const std::string& type);

  agg_op op() const { return op_; }
  num_type type() const { return type_; }
  /// Whether the state carries an event time (first/last).
  bool has_time() const { return op_ == agg_op::first || op_ == agg_op::last; }
  /// The metricsSpec type name.
  const std::string& type_name() const { return name_; }

  void init(agg_state& s) const;
  /// Folds one input (absent inputs are ignored; count counts rows).
  void add(agg_state& s, const num_value& v, int64_t event_time) const;
  /// Combines another state of the same aggregator into `into`.
  void combine(agg_state& into, const agg_state& other) const;
  /// Whether the state still holds no value (first/last/min/max with no input).
  bool empty(const agg_state& s) const;

 private:
  agg_op op_ = agg_op::count;
  num_type type_ = num_type::long_;
  std::string name_;
};

}  // namespace sv::core::ingest
