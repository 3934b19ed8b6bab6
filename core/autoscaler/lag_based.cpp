#include "core/autoscaler/lag_based.hpp"

#include <algorithm>
#include <cctype>

namespace sv::core::autoscaler {

std::optional<lag_aggregate> parse_lag_aggregate(std::string_view s) {
  std::string up{s};
  std::transform(up.begin(), up.end(), up.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (up == "SUM") return lag_aggregate::sum;
  if (up == "MAX") return lag_aggregate::max;
  if (up == "AVERAGE") return lag_aggregate::average;
  return std::nullopt;
}

int64_t aggregate_lag(const offset_map& lag, lag_aggregate how) {
  int64_t sum = 0, max = 0;
  for (const auto& [_, l] : lag) {
    auto v = std::max<int64_t>(0, l.value());
    sum += v;
    max = std::max(max, v);
  }
  switch (how) {
    case lag_aggregate::sum:
      return sum;
    case lag_aggregate::max:
      return max;
    case lag_aggregate::average:
      return lag.empty() ? 0 : sum / static_cast<int64_t>(lag.size());
  }
  return sum;
}

lag_window::lag_window(const autoscaler_config& cfg)
    : capacity_(static_cast<size_t>(
          std::max<int64_t>(
              1, cfg.lag_collection_range_millis /
                     std::max<int64_t>(1, cfg.lag_collection_interval_millis)) +
          1)) {}

void lag_window::add(int64_t sample) {
  samples_.push_back(std::max<int64_t>(0, sample));
  while (samples_.size() > capacity_) samples_.pop_front();
}

int32_t desired_task_count(const autoscaler_config& cfg,
                           const std::deque<int64_t>& samples, int32_t current,
                           int32_t partitions) {
  if (partitions <= 0 || samples.empty()) return -1;
  auto n = static_cast<double>(samples.size());
  auto beyond = std::count_if(samples.begin(), samples.end(),
                              [&](int64_t l) { return l >= cfg.scale_out_threshold; });
  auto within = std::count_if(samples.begin(), samples.end(),
                              [&](int64_t l) { return l <= cfg.scale_in_threshold; });
  if (static_cast<double>(beyond) / n >= cfg.trigger_scale_out_fraction_threshold)
    return std::min(current + cfg.scale_out_step, partitions);
  if (static_cast<double>(within) / n >= cfg.trigger_scale_in_fraction_threshold)
    return std::max(1, current - cfg.scale_in_step);
  return current;
}

millis cooldown(const autoscaler_config& cfg, bool scale_up) {
  const auto& d = scale_up ? cfg.min_scale_up_delay : cfg.min_scale_down_delay;
  if (d) return d->to_millis();
  return millis{cfg.min_trigger_scale_action_frequency_millis};
}

gate_result gate(const autoscaler_config& cfg, const gate_input& in) {
  gate_result r;
  if (in.suspended) {
    r.reason = "Supervisor is suspended";
    return r;
  }
  if (in.idle) {
    r.reason = "Supervisor is idle";
    return r;
  }
  if (in.desired <= 0) {
    r.reason = "Auto-scaler failed to compute a task count";
    return r;
  }
  auto p = std::max(1, in.partitions);
  auto lo = std::min(cfg.task_count_min.value_or(1), p);
  auto hi = std::min(cfg.task_count_max.value_or(p), p);
  auto target = std::clamp(in.desired, lo, std::max(lo, hi));
  if (target == in.current) {
    if (in.desired != in.current)
      r.reason = in.desired > in.current ? "Already at max task count"
                                         : "Already at min task count";
    return r;
  }
  if (in.publishing) {
    r.reason = "There are tasks pending completion";
    return r;
  }
  bool up = target > in.current;
  if (in.last_scale && in.now - *in.last_scale < cooldown(cfg, up)) {
    r.reason = "Scale cooldown not elapsed yet";
    return r;
  }
  r.apply = true;
  r.task_count = target;
  return r;
}

int32_t initial_task_count(const autoscaler_config& cfg, int32_t task_count) {
  auto n = cfg.task_count_start.value_or(task_count);
  if (cfg.task_count_min) n = std::max(n, *cfg.task_count_min);
  if (cfg.task_count_max) n = std::min(n, *cfg.task_count_max);
  return n;
}

}  // namespace sv::core::autoscaler
