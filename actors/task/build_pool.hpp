#pragma once
// A few threads for the tasks' blocking final work (merging parts, writing,
// compressing and pushing segments), so that work never holds the actor
// scheduler's threads: when a thousand tasks hand off at once, status and
// control requests still get a thread. Jobs run in the order posted.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sv::actors {

class build_pool {
 public:
  /// `threads` workers (at least one), named "sv.build".
  explicit build_pool(size_t threads);
  /// Runs the jobs already posted, then joins the workers.
  ~build_pool();
  build_pool(const build_pool&) = delete;
  build_pool& operator=(const build_pool&) = delete;

  /// Queues `job`; a job must not throw.
  void post(std::function<void()> job);
  size_t threads() const { return workers_.size(); }

 private:
  void run();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

/// A pool with one thread per core (two at least).
std::shared_ptr<build_pool> make_build_pool();

/// Work that either the pool or its poster runs, whichever gets to it first:
/// post hands it to the pool, join runs it on the caller's thread if the pool
/// has not started it, else waits for the pool to finish it. A pool busy with
/// long builds so never holds up the poster. The work must not throw.
class shared_job {
 public:
  static std::shared_ptr<shared_job> post(build_pool& pool, std::function<void()> work);
  /// Returns once the work is done; true when the pool ran it.
  bool join();

 private:
  explicit shared_job(std::function<void()> work) : work_(std::move(work)) {}
  /// Runs the work unless another thread claimed it; true when this one ran it.
  bool try_run();

  std::function<void()> work_;
  std::atomic<bool> claimed_{false};
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;  ///< under mu_
};

/// Runs `worker` on this thread and on the pool's other threads at once (as
/// shared jobs: a busy pool leaves them to this thread, which finds the work
/// done by then); returns when every run has returned. Workers share their
/// work among themselves (e.g. through an atomic counter). No pool: here only.
void spread(build_pool* pool, const std::function<void()>& worker);

}  // namespace sv::actors
