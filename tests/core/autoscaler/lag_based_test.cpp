// The lag-based autoscaler's pure parts: aggregates, the sample window, the
// decision (thresholds, fractions, steps, partition cap), and the
// supervisor's gate (bounds, publishing, cooldown, suspended, idle).

#include <doctest/doctest.h>

#include "core/autoscaler/lag_based.hpp"

using namespace sv::core;
using namespace sv::core::autoscaler;

namespace {

autoscaler_config config() {
  autoscaler_config c;
  c.enable_task_autoscaler = true;
  c.task_count_min = 1;
  c.task_count_max = 6;
  c.scale_out_threshold = 1000;
  c.scale_in_threshold = 100;
  c.trigger_scale_out_fraction_threshold = 0.3;
  c.trigger_scale_in_fraction_threshold = 0.9;
  c.scale_out_step = 2;
  c.scale_in_step = 1;
  c.min_trigger_scale_action_frequency_millis = 60000;
  return c;
}

std::deque<int64_t> samples(std::initializer_list<int64_t> xs) {
  return std::deque<int64_t>(xs);
}

utc_time at(int64_t seconds) {
  return utc_time{millis{seconds * 1000}};
}

}  // namespace

TEST_CASE("autoscaler: the three lag aggregates; negative lag counts as none") {
  offset_map lag{{"0", 10}, {"1", 30}, {"2", -5}};
  CHECK(aggregate_lag(lag, lag_aggregate::sum) == 40);
  CHECK(aggregate_lag(lag, lag_aggregate::max) == 30);
  CHECK(aggregate_lag(lag, lag_aggregate::average) == 13);  // 40 / 3
  CHECK(aggregate_lag({}, lag_aggregate::average) == 0);
  CHECK(parse_lag_aggregate("average") == lag_aggregate::average);
  CHECK(parse_lag_aggregate("Max") == lag_aggregate::max);
  CHECK_FALSE(parse_lag_aggregate("MEDIAN"));
}

TEST_CASE("autoscaler: the window keeps range / interval + 1 samples") {
  auto c = config();
  c.lag_collection_range_millis = 600000;
  c.lag_collection_interval_millis = 30000;
  lag_window w{c};
  CHECK(w.capacity() == 21);
  for (int i = 0; i < 30; ++i) w.add(i);
  CHECK(w.samples().size() == 21);
  CHECK(w.samples().front() == 9);
  w.add(-7);
  CHECK(w.samples().back() == 0);
  w.clear();
  CHECK(w.samples().empty());
}

TEST_CASE("autoscaler: decision by thresholds and fractions") {
  auto c = config();
  // 3 of 10 samples at or over the scale-out threshold: 0.3 >= 0.3 -> out by 2.
  CHECK(desired_task_count(c, samples({1000, 5000, 1000, 0, 0, 0, 0, 0, 0, 0}), 2, 8) ==
        4);
  // 2 of 10: not enough; 8 of 10 low is under 0.9: stay.
  CHECK(desired_task_count(c, samples({1000, 5000, 0, 0, 0, 0, 0, 0, 500, 500}), 2, 8) ==
        2);
  // 9 of 10 at or under the scale-in threshold: in by 1.
  CHECK(desired_task_count(c, samples({100, 0, 0, 0, 0, 0, 0, 0, 0, 500}), 3, 8) == 2);
  // Scale-out wins when both hold (checked first).
  c.trigger_scale_in_fraction_threshold = 0.5;
  CHECK(desired_task_count(c, samples({2000, 2000, 0, 0}), 3, 8) == 5);
}

TEST_CASE("autoscaler: steps are capped by the partition count and by 1") {
  auto c = config();
  c.scale_out_step = 5;
  CHECK(desired_task_count(c, samples({9999}), 3, 4) == 4);
  c.scale_in_step = 5;
  CHECK(desired_task_count(c, samples({0}), 3, 4) == 1);
  // Nothing to compute with.
  CHECK(desired_task_count(c, samples({0}), 3, 0) == -1);
  CHECK(desired_task_count(c, samples({}), 3, 4) == -1);
}

TEST_CASE("autoscaler: the gate clamps to [min, max] and the partitions") {
  auto c = config();
  gate_input in{8, 2, 4, false, false, false, std::nullopt, at(0)};
  auto r = gate(c, in);
  CHECK(r.apply);
  CHECK(r.task_count == 4);  // partitions cap the max of 6
  in.current = 4;
  r = gate(c, in);
  CHECK_FALSE(r.apply);
  CHECK(r.reason == "Already at max task count");
  c.task_count_min = 2;
  in = gate_input{1, 2, 4, false, false, false, std::nullopt, at(0)};
  r = gate(c, in);
  CHECK_FALSE(r.apply);
  CHECK(r.reason == "Already at min task count");
  in.desired = 2;  // already there: silent
  r = gate(c, in);
  CHECK_FALSE(r.apply);
  CHECK(r.reason.empty());
  in.desired = -1;
  CHECK(gate(c, in).reason == "Auto-scaler failed to compute a task count");
}

TEST_CASE("autoscaler: the gate skips while suspended, idle or publishing") {
  auto c = config();
  gate_input in{3, 2, 8, true, false, false, std::nullopt, at(0)};
  CHECK(gate(c, in).reason == "Supervisor is suspended");
  in.suspended = false;
  in.idle = true;
  CHECK(gate(c, in).reason == "Supervisor is idle");
  in.idle = false;
  in.publishing = true;
  CHECK(gate(c, in).reason == "There are tasks pending completion");
  in.publishing = false;
  CHECK(gate(c, in).apply);
}

TEST_CASE("autoscaler: cooldown per direction, falling back to the old frequency") {
  auto c = config();  // 60 s for both
  gate_input in{4, 2, 8, false, false, false, at(100), at(159)};
  CHECK(gate(c, in).reason == "Scale cooldown not elapsed yet");
  in.now = at(160);
  CHECK(gate(c, in).apply);
  c.min_scale_up_delay = *parse_period("PT10S");
  c.min_scale_down_delay = *parse_period("PT5M");
  in.now = at(110);
  CHECK(gate(c, in).apply);  // up: 10 s
  in.desired = 1;
  in.now = at(399);
  CHECK(gate(c, in).reason == "Scale cooldown not elapsed yet");  // down: 5 min
  in.now = at(400);
  CHECK(gate(c, in).apply);
}

TEST_CASE("autoscaler: the starting task count") {
  auto c = config();
  CHECK(initial_task_count(c, 3) == 3);
  c.task_count_start = 5;
  CHECK(initial_task_count(c, 3) == 5);
  c.task_count_start.reset();
  c.task_count_min = 2;
  CHECK(initial_task_count(c, 1) == 2);
  CHECK(initial_task_count(c, 9) == 6);
}
