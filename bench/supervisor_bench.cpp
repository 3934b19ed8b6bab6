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
//    With --kafka, the same again with the supervisors probing topic "t"
//    (8 partitions) of that Kafka through the node's probe hub, and with
//    --own-probes N first N supervisors with a probe client each (the node
//    before the hub), for comparison.
//
//   build/bench/supervisor_bench [--seconds 20] [--max-supervisors 1000]
//                                [--density 10000] [--density-period-s 5]
//                                [--kafka BOOTSTRAP [--own-probes 1000]]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "bench/supervisor_node.hpp"
#include "core/supervisor/reconciler.hpp"

using namespace sv;
using namespace sv::bench;

namespace {

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

}  // namespace

int main(int argc, char** argv) {
  int seconds = 20, max_supervisors = 1000, density = 10000, density_period_s = 5;
  int own_probes = 0;
  std::string kafka;
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
    else if (k == "--kafka")
      kafka = argv[i + 1];
    else if (k == "--own-probes")  // supervisors for a run with a client each
      own_probes = std::atoi(argv[i + 1]);
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
  if (!kafka.empty()) {
    if (own_probes > 0)
      density_bench(dir.string(), own_probes, density_period_s, seconds, kafka, true);
    if (density > 0)
      density_bench(dir.string(), density, density_period_s, seconds, kafka);
  }
  std::filesystem::remove_all(dir);
}
