#include "adapters/kafka/fetch_wake.hpp"

#include <pthread.h>

#include <cstdlib>

namespace sv::adapters::kafka {

namespace {

int64_t conf_number(const rd_kafka_conf_t* conf, const char* name, int64_t fallback) {
  char value[64];
  size_t size = sizeof value;
  if (rd_kafka_conf_get(conf, name, value, &size) != RD_KAFKA_CONF_OK) return fallback;
  char* end = nullptr;
  auto n = std::strtoll(value, &end, 10);
  return end != value && n > 0 ? n : fallback;
}

}  // namespace

queue_limits read_queue_limits(const rd_kafka_conf_t* conf) {
  queue_limits out;
  out.max_messages = conf_number(conf, "queued.min.messages", out.max_messages);
  out.max_bytes =
      conf_number(conf, "queued.max.messages.kbytes", out.max_bytes / 1024) * 1024;
  return out;
}

bool queue_watch::drained(size_t taken, size_t bytes, size_t queued) {
  if (taken > 0) {
    double mean = static_cast<double>(bytes) / static_cast<double>(taken);
    mean_bytes_ = mean_bytes_ == 0 ? mean : 0.9 * mean_bytes_ + 0.1 * mean;
  }
  // The queue only grows between polls, so its largest size is the one a
  // poll found: what it took plus what it left.
  auto before = static_cast<double>(taken + queued);
  if (before >= 0.75 * static_cast<double>(limits_.max_messages) ||
      before * mean_bytes_ >= 0.75 * static_cast<double>(limits_.max_bytes))
    near_ = true;
  auto left = static_cast<double>(queued);
  if (!near_ || left >= 0.5 * static_cast<double>(limits_.max_messages) ||
      left * mean_bytes_ >= 0.5 * static_cast<double>(limits_.max_bytes))
    return false;
  near_ = false;
  return true;
}

fetch_waker::~fetch_waker() {
  {
    std::lock_guard guard{mu_};
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void fetch_waker::wake(const std::vector<fetch_partition>& partitions) {
  if (partitions.empty()) return;
  {
    std::lock_guard guard{mu_};
    if (stop_) return;
    pending_.insert(partitions.begin(), partitions.end());
    if (!thread_.joinable()) thread_ = std::thread{[this] { run(); }};
  }
  cv_.notify_all();
}

int64_t fetch_waker::sent() const {
  std::lock_guard guard{mu_};
  return sent_;
}

void fetch_waker::run() {
  pthread_setname_np(pthread_self(), "sv.kwake");
  std::unique_lock lock{mu_};
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (stop_) return;
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(pending_.size()));
    for (const auto& [topic, partition] : pending_)
      rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset =
          RD_KAFKA_OFFSET_END;
    pending_.clear();
    ++sent_;
    lock.unlock();
    // One ListOffsets per leader; the answer does not matter.
    rd_kafka_offsets_for_times(rk_, list, 1000);
    rd_kafka_topic_partition_list_destroy(list);
    lock.lock();
  }
}

}  // namespace sv::adapters::kafka
