#pragma once
// Waking librdkafka's fetcher once a reader has drained its queue (internal
// to adapters/kafka).
//
// librdkafka 2.0.2 leaves a partition out of fetching while its consumer queue
// holds queued.min.messages or queued.max.messages.kbytes, and decides again
// only when the partition's broker thread next wakes: at a reply, a request or
// an op, else after one second (rd_kafka_toppar_fetch_decide; librdkafka 2.2
// adds fetch.queue.backoff.ms for this). Partitions forwarded into one queue
// count that queue, so all of a reader's partitions stop together. A reader
// whose partitions are the only ones fetching on its client (a backfill, a
// task catching up alone) drains its queue in milliseconds and then waited for
// the rest of that second.
//
// * queue_watch (one per reader, pure): after each poll, from the queue's
//   length and the mean size of the records taken, says when the queue had
//   come near a threshold and has since drained below half of both.
// * fetch_waker (one per client): sends a ListOffsets request for the
//   partitions it is given, one per leader broker, from a thread of its own
//   started on first use (the call waits for the replies). The request wakes
//   each leader's broker thread, which then decides to fetch again. It reads
//   nothing and moves no fetch position; errors are ignored (fetching reports
//   its own).
// Thread safety: queue_watch is used by its reader's thread; fetch_waker::wake
// may be called from any thread.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace sv::adapters::kafka {

/// The thresholds of a consumer queue past which librdkafka stops fetching.
struct queue_limits {
  int64_t max_messages = 100000;     ///< queued.min.messages
  int64_t max_bytes = 65536 * 1024;  ///< queued.max.messages.kbytes, in bytes
};

/// The thresholds `conf` sets (librdkafka's defaults where it sets none).
queue_limits read_queue_limits(const rd_kafka_conf_t* conf);

class queue_watch {
 public:
  queue_watch() = default;
  explicit queue_watch(queue_limits limits) : limits_(limits) {}

  /// After a poll that took `taken` records of `bytes` payload bytes in all,
  /// leaving `queued` messages in the queue: true once per fill, when the
  /// queue had reached three quarters of a threshold and is now below half of
  /// both.
  bool drained(size_t taken, size_t bytes, size_t queued);

 private:
  queue_limits limits_;
  double mean_bytes_ = 0;  ///< mean payload size of the records taken
  bool near_ = false;      ///< reached three quarters of a threshold since the last wake
};

using fetch_partition = std::pair<std::string, int32_t>;

class fetch_waker {
 public:
  explicit fetch_waker(rd_kafka_t* rk) : rk_(rk) {}
  ~fetch_waker();  ///< stops the thread (after the request in flight, if any)
  fetch_waker(const fetch_waker&) = delete;
  fetch_waker& operator=(const fetch_waker&) = delete;

  /// Wakes the broker threads that lead `partitions` (soon, on the waker's thread).
  void wake(const std::vector<fetch_partition>& partitions);

  /// Requests sent so far.
  int64_t sent() const;

 private:
  void run();

  rd_kafka_t* rk_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<fetch_partition> pending_;
  int64_t sent_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sv::adapters::kafka
