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
//
//   build/bench/supervisor_bench [--seconds 20] [--max-supervisors 1000]

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
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

node_result node_bench(const std::string& dir, int supervisors, int seconds) {
  caf::actor_system_config cfg;
  msg::register_message_types(cfg);
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto inner = adapters::open_metadata_store("sqlite:" + dir + "/node" +
                                             std::to_string(supervisors) + ".db");
  if (!inner) die(core::error_message(inner.error()));
  auto store = std::make_shared<test::faulty_store>(std::move(*inner));
  auto metadata = actors::spawn_metadata_actor(sys, store);
  test::fake_registry fakes;
  actors::task_runner_config rc;
  rc.capacity = 4 * supervisors;
  rc.env.metadata = metadata;
  rc.spawn = test::fake_spawner(fakes, store);
  auto runner = actors::spawn_task_runner(sys, std::move(rc));
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
  auto listener = sys.spawn([]() -> actors::supervisor_listener::behavior_type {
    return {[](msg::supervisor_state_changed&) {},
            [](msg::create_backfill_supervisor&) { return msg::ack{}; },
            [](msg::scale_supervisor&) { return msg::ack{}; }};
  });
  std::vector<actors::supervisor_actor> sups;
  for (int i = 0; i < supervisors; ++i)
    sups.push_back(actors::spawn_supervisor(
        sys,
        make_spec("s" + std::to_string(i), 2,
                  R"("taskDuration":"PT1H","startDelay":"PT1S","period":"PT1S")"),
        listener, env));
  std::this_thread::sleep_for(
      std::chrono::seconds{3});  // every supervisor started its tasks
  auto runs0 = store->calls("committed_offsets");
  auto cpu0 = cpu_seconds();
  auto t0 = clock_type::now();
  std::vector<double> status_ms;
  caf::scoped_actor self{sys};
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
  size_t tasks = 0;
  for (auto& [_, c] : fakes) tasks += c->alive;
  if (tasks != static_cast<size_t>(2 * supervisors))
    die("expected " + std::to_string(2 * supervisors) + " live tasks, found " +
        std::to_string(tasks));
  for (auto& s : sups) self->send_exit(s, caf::exit_reason::user_shutdown);
  self->send_exit(runner, caf::exit_reason::user_shutdown);
  self->send_exit(metadata, caf::exit_reason::user_shutdown);
  self->send_exit(listener, caf::exit_reason::user_shutdown);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 20, max_supervisors = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--seconds")
      seconds = std::atoi(argv[i + 1]);
    else if (k == "--max-supervisors")
      max_supervisors = std::atoi(argv[i + 1]);
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
  std::filesystem::remove_all(dir);
}
