#pragma once
// Druid's lag-based task autoscaler as pure functions: the lag sample window,
// the desired task count (LagBasedAutoScaler.computeDesiredTaskCount), and the
// supervisor's gate before it applies a scale (DynamicAllocationTasksNotice):
// suspended, idle, cannot compute, bounds, tasks pending completion, cooldown.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/offsets.hpp"
#include "core/spec/io_config.hpp"
#include "core/time.hpp"

namespace sv::core::autoscaler {

enum class lag_aggregate { sum, max, average };

/// SUM, MAX, AVERAGE (any case); nullopt otherwise.
std::optional<lag_aggregate> parse_lag_aggregate(std::string_view s);

/// One sample from per-partition lag; negative lags count as 0, no partitions as 0.
int64_t aggregate_lag(const offset_map& lag, lag_aggregate how);

/// The samples of the last lagCollectionRangeMillis: a FIFO of
/// range / interval + 1 samples.
class lag_window {
 public:
  explicit lag_window(const autoscaler_config& cfg);
  void add(int64_t sample);
  void clear() { samples_.clear(); }
  const std::deque<int64_t>& samples() const { return samples_; }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::deque<int64_t> samples_;
};

/// Druid's decision: scale out by scaleOutStep when at least
/// triggerScaleOutFractionThreshold of the samples are >= scaleOutThreshold
/// (capped at the partition count), else scale in by scaleInStep when at
/// least triggerScaleInFractionThreshold are <= scaleInThreshold (not below
/// 1), else stay. -1 when it cannot compute (no partitions or no samples).
int32_t desired_task_count(const autoscaler_config& cfg,
                           const std::deque<int64_t>& samples, int32_t current,
                           int32_t partitions);

/// What the supervisor knows when a decision arrives.
struct gate_input {
  int32_t desired = -1;
  int32_t current = 1;
  int32_t partitions = 0;
  bool suspended = false;
  bool idle = false;
  bool publishing = false;  ///< any group pending completion
  std::optional<utc_time> last_scale;
  utc_time now{};
};

struct gate_result {
  bool apply = false;
  int32_t task_count = 0;  ///< clamped target (when apply)
  std::string reason;      ///< why not (empty when applied or already there)
};

gate_result gate(const autoscaler_config& cfg, const gate_input& in);

/// Cooldown after a scale: minScaleUpDelay / minScaleDownDelay, else
/// minTriggerScaleActionFrequencyMillis.
millis cooldown(const autoscaler_config& cfg, bool scale_up);

/// The task count a spec starts with when autoscaling: taskCountStart, else
/// the spec's taskCount, kept within [taskCountMin, taskCountMax].
int32_t initial_task_count(const autoscaler_config& cfg, int32_t task_count);

}  // namespace sv::core::autoscaler
