// Supervisor control-plane benchmark.
//
// 1. Planner: the cost of one reconcile run (and of a status report) in steady
//    state, versus partitions, against the run's own I/O measured in the same
//    run: reading the offsets row from SQLite.
// 2. Node: N supervisors (1, 100, 1,000) on one actor system, each running
//    every second against an in-memory stream and idle tasks (the task runner
//    is real, the tasks answer the chat API without reading), with the real
//    metadata actor on SQLite. Reports runs/s, CPU per run, RSS and the
//    latency of a status request under that load.
// 3. Density: 10,000 supervisors on one such node, each running every
//    `period` (PT5S), while 1,000 status requests a second go to supervisors
//    picked in turn. Reports the run-loop delay (the time between a
//    supervisor's consecutive runs minus its period, at p50/p99/max), the
//    status latency (p50/p99/max), CPU, RSS and the process's threads.
//
//   build/bench/supervisor_bench [--seconds 20] [--max-supervisors 1000]
//                                [--density 10000] [--density-period-s 5]

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/metadata_actor.hpp"
#include "actors/supervisor_actor.hpp"
#include "actors/task_runner_actor.hpp"
#include "adapters/metadata_store.hpp"
#include "core/errc.hpp"
#include "core/supervisor/reconciler.hpp"
#include "messages/type_ids.hpp"
#include "tests/actors/fake_task.hpp"
#include "tests/actors/faulty_store.hpp"

using namespace sv;
using clock_type = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "supervisor_bench: %s\n", what.c_str());
  std::exit(1);
}

core::supervisor_spec make_spec(const std::string& id, int task_count,
                                const std::string& io) {
  auto text = R"({"type":"kafka","id":")" + id + R"(","spec":{
    "dataSchema":{"dataSource":")" +
              id + R"(","timestampSpec":{"column":"ts"},
      "dimensionsSpec":{"dimensions":[]},"granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{"topic":"t","consumerProperties":{"bootstrap.servers":"x:9092"},
      "inputFormat":{"type":"json"},"taskCount":)" +
              std::to_string(task_count) + (io.empty() ? "" : "," + io) +
              R"(},"tuningConfig":{"type":"kafka"}}})";
  auto r = core::parse_supervisor_spec_text(text);
  if (!r.ok()) die(core::describe(r.problems));
  return *r.spec;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long rss_mb() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  return 0;
}

template <class F>
double micros_per_call(int n, F f) {
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) f(i);
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count() / n;
}

void planner_bench(const std::string& dir) {
  auto store = adapters::open_metadata_store("sqlite:" + dir + "/planner.db");
  if (!store) die(core::error_message(store.error()));
  std::printf("== planner: one run in steady state (taskCount 8, every task reading)\n");
  std::printf("%10s %14s %14s %16s %8s\n", "partitions", "run us", "status us",
              "row read us", "ratio");
  for (int partitions : {8, 64, 512, 4096}) {
    core::offset_map offsets;
    std::vector<core::partition_id> ps;
    for (int p = 0; p < partitions; ++p) {
      ps.push_back(std::to_string(p));
      offsets[ps.back()] = 1000;
    }
    core::committed_offsets row{"kafka", "t", offsets, std::nullopt, {}};
    if (auto err = (*store)->reset_offsets("bench", row)) die(core::error_message(err));
    auto t0 = core::utc_now();
    core::supervisor::reconciler rec{
        make_spec("bench", 8, R"("taskDuration":"PT1H")"), {}, t0};
    rec.observe_stream(ps, offsets, offsets, t0);
    rec.observe_committed(row);
    for (auto& a : rec.run(t0))
      if (auto* c = std::get_if<core::supervisor::create_task>(&a))
        rec.task_started(c->spec.id, t0);
    int n = std::max(200, 200000 / partitions);
    auto run_us = micros_per_call(n, [&](int i) {
      auto now = t0 + core::millis{i};
      rec.observe_stream(ps, offsets, offsets, now);
      rec.observe_committed(row);
      if (!rec.run(now).empty()) die("a steady-state run produced actions");
    });
    auto status_us = micros_per_call(n, [&](int i) {
      if (rec.status(t0 + core::millis{i}).active_tasks.size() != 8) die("wrong status");
    });
    auto read_us = micros_per_call(n, [&](int) {
      if (!(*store)->committed_offsets("bench")) die("row read failed");
    });
    std::printf("%10d %14.2f %14.2f %16.2f %8.2f\n", partitions, run_us, status_us,
                read_us, run_us / read_us);
  }
}

struct node_result {
  int supervisors = 0;
  double runs_per_s = 0;
  double cpu_per_s = 0;
  double cpu_us_per_run = 0;
  long rss = 0;
  double status_ms = 0;
};

// One node: the real metadata actor on SQLite, the real task runner with idle
// fake tasks, an in-memory stream of 8 partitions, N supervisors of 2 tasks.
struct bench_node {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<test::faulty_store> store;
  actors::metadata_actor metadata;
  actors::task_runner_actor runner;
  caf::actor listener;
  test::fake_registry fakes;
  std::vector<actors::supervisor_actor> sups;
  std::shared_ptr<std::atomic<int64_t>> spawned =
      std::make_shared<std::atomic<int64_t>>(0);

  bench_node(const std::string& dir, int supervisors, const std::string& period,
             std::function<void(const std::string&)> on_run = {}) {
    msg::register_message_types(cfg);
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    auto inner = adapters::open_metadata_store("sqlite:" + dir + "/node" +
                                               std::to_string(supervisors) + ".db");
    if (!inner) die(core::error_message(inner.error()));
    store = std::make_shared<test::faulty_store>(std::move(*inner));
    if (on_run) store->observe_row_reads(std::move(on_run));
    metadata = actors::spawn_metadata_actor(*sys, store);
    actors::task_runner_config rc;
    rc.capacity = 4 * supervisors;
    rc.env.metadata = metadata;
    rc.spawn = [inner = test::fake_spawner(fakes, store), n = spawned](
                   caf::actor_system& sys, core::task::task_spec spec,
                   actors::task_env env) {
      auto h = inner(sys, std::move(spec), std::move(env));
      ++*n;
      return h;
    };
    runner = actors::spawn_task_runner(*sys, std::move(rc));
    auto stream = std::make_shared<test::fake_stream>();
    stream->partitions = 8;
    actors::supervisor_env env;
    env.metadata = metadata;
    env.runner = runner;
    env.probe_placement = actors::placement::scheduled;
    env.open_probe = [stream](const core::supervisor_spec&) {
      return caf::expected<std::unique_ptr<adapters::stream_reader>>{
          std::make_unique<test::fake_reader>(stream)};
    };
    listener = caf::actor_cast<caf::actor>(
        sys->spawn([]() -> actors::supervisor_listener::behavior_type {
          return {[](msg::supervisor_state_changed&) {},
                  [](msg::create_backfill_supervisor&) { return msg::ack{}; },
                  [](msg::scale_supervisor&) { return msg::ack{}; }};
        }));
    auto io = R"("taskDuration":"PT1H","startDelay":"PT1S","period":")" + period + "\"";
    for (int i = 0; i < supervisors; ++i)
      sups.push_back(actors::spawn_supervisor(
          *sys, make_spec("s" + std::to_string(i), 2, io),
          caf::actor_cast<actors::supervisor_listener>(listener), env));
  }

  size_t live_tasks() {
    size_t n = 0;
    for (auto& [_, c] : fakes) n += c->alive;
    return n;
  }

  // Polls until every supervisor runs its 2 tasks (dies after `limit`).
  void wait_for_tasks(std::chrono::seconds limit) {
    auto want = 2 * sups.size();
    auto deadline = clock_type::now() + limit;
    while (clock_type::now() < deadline) {
      if (*spawned >= static_cast<int64_t>(want)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    auto n = spawned->load();
    if (n < static_cast<int64_t>(want))
      die("only " + std::to_string(n) + " of " + std::to_string(want) + " tasks started");
  }

  void check_tasks() {
    auto n = live_tasks();
    if (n != 2 * sups.size())
      die("expected " + std::to_string(2 * sups.size()) + " live tasks, found " +
          std::to_string(n));
  }

  ~bench_node() {
    caf::scoped_actor self{*sys};
    for (auto& s : sups) self->send_exit(s, caf::exit_reason::user_shutdown);
    self->send_exit(runner, caf::exit_reason::user_shutdown);
    self->send_exit(metadata, caf::exit_reason::user_shutdown);
    self->send_exit(listener, caf::exit_reason::user_shutdown);
  }
};

node_result node_bench(const std::string& dir, int supervisors, int seconds) {
  bench_node node{dir, supervisors, "PT1S"};
  node.wait_for_tasks(std::chrono::seconds{120});
  std::this_thread::sleep_for(std::chrono::seconds{1});
  auto& store = node.store;
  auto& sups = node.sups;
  auto runs0 = store->calls("committed_offsets");
  auto cpu0 = cpu_seconds();
  auto t0 = clock_type::now();
  std::vector<double> status_ms;
  caf::scoped_actor self{*node.sys};
  while (clock_type::now() - t0 < std::chrono::seconds{seconds}) {
    auto q0 = clock_type::now();
    self->request(sups[static_cast<size_t>(status_ms.size()) % sups.size()],
                  std::chrono::seconds{10}, msg::get_supervisor_status{})
        .receive([](msg::supervisor_report&) {},
                 [](caf::error& e) { die("status: " + core::error_message(e)); });
    status_ms.push_back(
        std::chrono::duration<double, std::milli>(clock_type::now() - q0).count());
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  double wall = std::chrono::duration<double>(clock_type::now() - t0).count();
  node_result r;
  r.supervisors = supervisors;
  auto runs = static_cast<double>(store->calls("committed_offsets") - runs0);
  r.runs_per_s = runs / wall;
  r.cpu_per_s = (cpu_seconds() - cpu0) / wall;
  r.cpu_us_per_run = runs > 0 ? (cpu_seconds() - cpu0) * 1e6 / runs : 0;
  r.rss = rss_mb();
  std::sort(status_ms.begin(), status_ms.end());
  r.status_ms = status_ms[status_ms.size() / 2];
  node.check_tasks();
  return r;
}

long threads_now() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Threads:", 0) == 0) return std::stol(line.substr(8));
  return 0;
}

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

void density_bench(const std::string& dir, int supervisors, int period_s, int seconds) {
  std::printf(
      "\n== density: %d supervisors (8 partitions, 2 tasks each), period PT%dS,"
      " 1,000 status requests/s, %d s\n",
      supervisors, period_s, seconds);
  auto clock = std::make_shared<run_clock>();
  clock->period_ms = period_s * 1000.0;
  auto t_start = clock_type::now();
  bench_node node{dir, supervisors, "PT" + std::to_string(period_s) + "S",
                  [clock](const std::string& id) { clock->ran(id); }};
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

}  // namespace

int main(int argc, char** argv) {
  int seconds = 20, max_supervisors = 1000, density = 10000, density_period_s = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--seconds")
      seconds = std::atoi(argv[i + 1]);
    else if (k == "--max-supervisors")
      max_supervisors = std::atoi(argv[i + 1]);
    else if (k == "--density")
      density = std::atoi(argv[i + 1]);
    else if (k == "--density-period-s")
      density_period_s = std::atoi(argv[i + 1]);
    else
      die("unknown option " + k);
  }
  auto dir = std::filesystem::temp_directory_path() /
             ("sv_supervisor_bench_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  planner_bench(dir.string());
  std::printf(
      "\n== node: supervisors running every second (8 partitions, 2 tasks each), %d s\n",
      seconds);
  std::printf("%12s %10s %12s %14s %8s %12s\n", "supervisors", "runs/s", "cpu cores",
              "cpu us/run", "rss MB", "status ms");
  for (int n : {1, 100, 1000}) {
    if (n > max_supervisors) break;
    auto r = node_bench(dir.string(), n, seconds);
    std::printf("%12d %10.1f %12.3f %14.1f %8ld %12.2f\n", r.supervisors, r.runs_per_s,
                r.cpu_per_s, r.cpu_us_per_run, r.rss, r.status_ms);
  }
  if (density > 0) density_bench(dir.string(), density, density_period_s, seconds);
  std::filesystem::remove_all(dir);
}
