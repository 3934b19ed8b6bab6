// The density part of supervisor_bench: 10,000 supervisors on one node, each
// running every `period`, while 1,000 status requests a second go to them.
// Reports the run-loop delay (the time between a supervisor's consecutive
// runs minus its period), the status latency, CPU, RSS and threads.

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "bench/supervisor_node.hpp"

namespace sv::bench {

namespace {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<size_t>(q * static_cast<double>(v.size())))];
}

// Run-loop delays (ms) from the times of each supervisor's row reads.
struct run_clock {
  std::mutex mtx;
  std::unordered_map<std::string, clock_type::time_point> last;
  std::vector<double> delays;
  double period_ms = 0;
  bool recording = false;

  void ran(const std::string& id) {
    auto now = clock_type::now();
    std::lock_guard<std::mutex> g{mtx};
    auto [i, fresh] = last.try_emplace(id, now);
    if (!fresh) {
      auto gap = std::chrono::duration<double, std::milli>(now - i->second).count();
      if (recording) delays.push_back(std::max(0.0, gap - period_ms));
      i->second = now;
    }
  }
};

struct status_load_state {
  std::vector<actors::supervisor_actor> targets;
  std::shared_ptr<std::vector<double>> latencies;
  clock_type::time_point started;
  int64_t sent = 0;
  int rate = 1000;
  static inline const char* name = "status_load";
};

// Sends `rate` status requests a second (open loop: on schedule, whatever
// the replies do), each to the next supervisor, recording each latency.
caf::behavior status_load(caf::stateful_actor<status_load_state>* self,
                          std::vector<actors::supervisor_actor> targets, int rate,
                          std::shared_ptr<std::vector<double>> out) {
  auto& st = self->state;
  st.targets = std::move(targets);
  st.rate = rate;
  st.latencies = std::move(out);
  st.started = clock_type::now();
  self->send(self, caf::tick_atom::value);
  return {[self](caf::tick_atom) {
    auto& st = self->state;
    auto due = static_cast<int64_t>(
        std::chrono::duration<double>(clock_type::now() - st.started).count() * st.rate);
    for (; st.sent < due; ++st.sent) {
      auto q0 = clock_type::now();
      self->request(st.targets[static_cast<size_t>(st.sent) % st.targets.size()],
                    std::chrono::seconds{10}, msg::get_supervisor_status{})
          .then(
              [self, q0](msg::supervisor_report&) {
                self->state.latencies->push_back(
                    std::chrono::duration<double, std::milli>(clock_type::now() - q0)
                        .count());
              },
              [](caf::error& e) { die("status: " + core::error_message(e)); });
    }
    self->delayed_send(self, std::chrono::milliseconds{1}, caf::tick_atom::value);
  }};
}

}  // namespace

void density_bench(const std::string& dir, int supervisors, int period_s, int seconds,
                   const std::string& kafka, bool own_probes) {
  std::printf(
      "\n== density: %d supervisors (8 partitions, 2 tasks each), period PT%dS,"
      " 1,000 status requests/s, %d s, %s\n",
      supervisors, period_s, seconds,
      kafka.empty() ? "in-memory stream"
      : own_probes  ? "Kafka probes, one client per supervisor"
                    : "Kafka probes through the node's probe hub");
  auto clock = std::make_shared<run_clock>();
  clock->period_ms = period_s * 1000.0;
  auto t_start = clock_type::now();
  bench_node node{dir,
                  supervisors,
                  "PT" + std::to_string(period_s) + "S",
                  [clock](const std::string& id) { clock->ran(id); },
                  kafka,
                  own_probes};
  node.wait_for_tasks(std::chrono::seconds{600});
  auto started_s = std::chrono::duration<double>(clock_type::now() - t_start).count();
  // Two periods to settle, then measure.
  std::this_thread::sleep_for(std::chrono::seconds{2 * period_s});
  auto runs0 = node.store->calls("committed_offsets");
  {
    std::lock_guard<std::mutex> g{clock->mtx};
    clock->recording = true;
  }
  auto latencies = std::make_shared<std::vector<double>>();
  latencies->reserve(static_cast<size_t>(seconds) * 1100);
  auto cpu0 = cpu_seconds();
  auto t0 = clock_type::now();
  auto load = node.sys->spawn(status_load, node.sups, 1000, latencies);
  std::this_thread::sleep_for(std::chrono::seconds{seconds});
  double wall = std::chrono::duration<double>(clock_type::now() - t0).count();
  auto cpu = (cpu_seconds() - cpu0) / wall;
  auto runs = node.store->calls("committed_offsets") - runs0;
  {
    caf::scoped_actor self{*node.sys};
    self->send_exit(load, caf::exit_reason::user_shutdown);
    self->wait_for(load);
  }
  std::vector<double> delays;
  {
    std::lock_guard<std::mutex> g{clock->mtx};
    clock->recording = false;
    delays = clock->delays;
  }
  node.check_tasks();
  auto expected_runs = static_cast<double>(supervisors) * wall / period_s;
  std::printf("started %d supervisors and %zu tasks in %.1f s\n", supervisors,
              node.live_tasks(), started_s);
  std::printf(
      "runs %d (%.2f of one per supervisor and period), cpu %.3f cores,"
      " rss %ld MB, threads %ld\n",
      runs, runs / expected_runs, cpu, rss_mb(), threads_now());
  std::printf("run-loop delay ms  p50 %8.2f  p99 %8.2f  max %8.2f  (%zu runs)\n",
              quantile(delays, 0.5), quantile(delays, 0.99), quantile(delays, 1.0),
              delays.size());
  std::printf(
      "status ms          p50 %8.2f  p99 %8.2f  max %8.2f  (%zu requests, %.0f/s)\n",
      quantile(*latencies, 0.5), quantile(*latencies, 0.99), quantile(*latencies, 1.0),
      latencies->size(), static_cast<double>(latencies->size()) / wall);
}

}  // namespace sv::bench
