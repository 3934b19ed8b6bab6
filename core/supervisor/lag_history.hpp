#pragma once
// A supervisor's recent lag, one sample per offset refresh (at most
// `capacity`, the oldest dropped first): what the console draws as lag over
// time (GET /druid/indexer/v1/supervisor/{id}/lagHistory). Records, or
// milliseconds for streams whose lag is time (Kinesis).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

namespace sv::core {

class lag_history {
 public:
  /// 720 samples: an hour at the default 5 s offset refresh.
  explicit lag_history(size_t capacity = 720) : capacity_(capacity ? capacity : 1) {}

  /// A sample at `at_ms` (ms since the epoch); one at the same time as the
  /// last replaces it.
  void record(int64_t at_ms, int64_t lag) {
    if (!samples_.empty() && samples_.back().first == at_ms) {
      samples_.back().second = lag;
      return;
    }
    samples_.emplace_back(at_ms, lag);
    while (samples_.size() > capacity_) samples_.pop_front();
  }

  const std::deque<std::pair<int64_t, int64_t>>& samples() const { return samples_; }

 private:
  size_t capacity_;
  std::deque<std::pair<int64_t, int64_t>> samples_;
};

}  // namespace sv::core
