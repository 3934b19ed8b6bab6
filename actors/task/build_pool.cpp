#include "actors/task/build_pool.hpp"

#include <pthread.h>

#include <algorithm>

namespace sv::actors {

build_pool::build_pool(size_t threads) {
  threads = std::max<size_t>(threads, 1);
  for (size_t i = 0; i < threads; ++i)
    workers_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "sv.build");
      run();
    });
}

build_pool::~build_pool() {
  {
    std::lock_guard guard{mu_};
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& w : workers_) w.join();
}

void build_pool::post(std::function<void()> job) {
  {
    std::lock_guard guard{mu_};
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void build_pool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock{mu_};
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

std::shared_ptr<build_pool> make_build_pool() {
  return std::make_shared<build_pool>(std::max(2u, std::thread::hardware_concurrency()));
}

std::shared_ptr<shared_job> shared_job::post(build_pool& pool,
                                             std::function<void()> work) {
  std::shared_ptr<shared_job> job{new shared_job{std::move(work)}};
  pool.post([job] { job->try_run(); });
  return job;
}

bool shared_job::try_run() {
  if (claimed_.exchange(true)) return false;
  work_();
  work_ = nullptr;  // what it holds goes now, on the thread that ran it
  {
    std::lock_guard lock{mu_};
    done_ = true;
  }
  done_cv_.notify_all();
  return true;
}

bool shared_job::join() {
  if (try_run()) return false;
  std::unique_lock lock{mu_};
  done_cv_.wait(lock, [this] { return done_; });
  return true;
}

void spread(build_pool* pool, const std::function<void()>& worker) {
  std::vector<std::shared_ptr<shared_job>> helpers;
  for (size_t i = 1; pool && i < pool->threads(); ++i)
    helpers.push_back(shared_job::post(*pool, [&worker] { worker(); }));
  worker();
  for (auto& h : helpers) h->join();
}

}  // namespace sv::actors
