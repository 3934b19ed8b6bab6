// Tasks per worker: N supervisors, one partition each, 10 events/s each, on
// one node whose Kafka is a kafka-dev process of its own. Measures, over the
// steady state, the process's CPU, threads and RSS (and RSS per task), then
// suspends everything (the tasks publish) and checks every produced event is
// in its datasource's segments exactly once.
//
//   SV_DENSITY_KAFKA=HOST:PORT SV_DENSITY_CONTROL=http://HOST:PORT
//     build/bench/task_density_bench   (SV_DENSITY_TASKS=200 SV_DENSITY_SECONDS=30)
//   (SV_DENSITY_THREADS=N sets the node's actor scheduler threads; default one per core)
//
// It also measures the hand-off of every task at once (suspendAll until no task
// runs) and a supervisor's status latency meanwhile.
//
// (scripts/bench starts kafka-dev and sets both.) The bench's own producer (one
// librdkafka producer in the same process) is the load: its threads' CPU is
// measured apart and left out of the node's; its memory is not.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/metadata_store.hpp"
#include "adapters/segment/segment_file.hpp"
#include "bench/proc_stats.hpp"
#include "core/event_generator.hpp"
#include "tests/http/node_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using bench::cpu_seconds;
using bench::status_field;
using clock_type = std::chrono::steady_clock;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

// CPU seconds of the given threads of this process.
double thread_cpu_seconds(const std::set<std::string>& tids) {
  double ticks = 0;
  for (const auto& tid : tids) {
    std::ifstream in{"/proc/self/task/" + tid + "/stat"};
    std::string stat;
    if (!std::getline(in, stat)) continue;  // the thread ended
    // Fields after the command (which may hold spaces): utime and stime are 12 and 13.
    std::istringstream rest{stat.substr(stat.rfind(')') + 2)};
    std::string f;
    for (int k = 0; k < 11 && rest >> f; ++k) {
    }
    double ut = 0, st = 0;
    rest >> ut >> st;
    ticks += ut + st;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::set<std::string> thread_ids() {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator{"/proc/self/task"})
    out.insert(e.path().filename().string());
  return out;
}

// Topic and datasource names of this run (a kafka-dev may serve several runs).
std::string name(int i) {
  return "density" + std::to_string(getpid()) + "_" + std::to_string(i);
}

std::string spec(int i, const std::string& bootstrap) {
  auto n = name(i);
  return R"({"type":"kafka","id":")" + n + R"(","spec":{
    "dataSchema":{"dataSource":")" +
         n + R"(","timestampSpec":{"column":"timestamp","format":"iso"},
      "dimensionsSpec":{"dimensions":["id","page","country"]},
      "metricsSpec":[{"type":"count","name":"count"}],
      "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
    "ioConfig":{"topic":")" +
         n + R"(","inputFormat":{"type":"json"},
      "consumerProperties":{"bootstrap.servers":")" +
         bootstrap + R"("},
      "taskCount":1,"replicas":1,"taskDuration":"PT1H","startDelay":"PT1S","period":"PT5S",
      "useEarliestOffset":true,"completionTimeout":"PT5M"},
    "tuningConfig":{"type":"kafka"}}})";
}

int running_tasks(test::node_fixture& node) {
  auto r = node.get("/druid/indexer/v1/tasks?state=running");
  if (r.status != 200) return -1;
  auto j = r.json();
  return static_cast<int>(j.as_array().size());
}

}  // namespace

TEST_CASE("task density: N supervisors of one partition at 10 events/s each") {
  auto bootstrap = env_or("SV_DENSITY_KAFKA", "");
  auto control = env_or("SV_DENSITY_CONTROL", "");
  REQUIRE_MESSAGE(!bootstrap.empty(), "set SV_DENSITY_KAFKA (and SV_DENSITY_CONTROL)");
  const int n = std::stoi(env_or("SV_DENSITY_TASKS", "200"));
  const int seconds = std::stoi(env_or("SV_DENSITY_SECONDS", "30"));
  std::printf("== task density: %d supervisors x 1 partition x 10 events/s, %d s\n", n,
              seconds);

  httplib::Client kafka_control{control};
  for (int i = 0; i < n; ++i) {
    auto body = core::json::make_object({{"name", name(i)}, {"partitions", 1}});
    auto r = kafka_control.Post("/topics", body.dump(), "application/json");
    REQUIRE_MESSAGE((r && r->status == 200), "cannot create topic " << name(i));
  }
  // The producer is the load, not the node: it starts first (one message to a
  // topic of its own, so it has every thread it will use), and its threads'
  // CPU is measured apart and left out of the node's.
  auto main_tid = std::to_string(gettid());
  auto p = adapters::open_kafka_producer(
      {{"bootstrap.servers", core::json{bootstrap}}, {"linger.ms", core::json{"20"}}});
  REQUIRE_MESSAGE(p, core::error_message(p.error()));
  auto producer = std::move(*p);
  {
    auto warm = name(n) + "_warmup";
    auto body = core::json::make_object({{"name", warm}, {"partitions", 1}});
    auto r = kafka_control.Post("/topics", body.dump(), "application/json");
    REQUIRE_MESSAGE((r && r->status == 200), "cannot create topic " << warm);
    REQUIRE(!producer->produce(warm, 0, {}, "{}"));
    REQUIRE(!producer->flush(30s));
  }
  auto producer_tids = thread_ids();
  producer_tids.erase(main_tid);
  auto threads0 = status_field("Threads:");
  test::node_fixture node{[&](app::serve_options& o) {
    o.kafka_bootstrap = bootstrap;
    o.worker_capacity = n;
    if (const char* t = std::getenv("SV_DENSITY_THREADS")) o.threads = std::atoi(t);
  }};
  auto idle_threads = status_field("Threads:");
  auto idle_rss = status_field("VmRSS:") / 1024;

  auto t_post = clock_type::now();
  for (int i = 0; i < n; ++i) {
    auto r = node.post("/druid/indexer/v1/supervisor", spec(i, bootstrap));
    REQUIRE_MESSAGE(r.status == 200, r.body);
  }
  while (running_tasks(node) < n) {
    REQUIRE_MESSAGE(clock_type::now() - t_post < 600s, "tasks did not all start");
    std::this_thread::sleep_for(200ms);
  }
  auto started_s = std::chrono::duration<double>(clock_type::now() - t_post).count();

  // 10 events a second to every topic, each with a unique id.
  std::vector<std::vector<std::string>> ids(static_cast<size_t>(n));
  std::vector<std::string> topics;
  for (int i = 0; i < n; ++i) topics.push_back(name(i));
  std::atomic<bool> stop{false};
  std::atomic<int> produce_errors{0};
  int64_t behind_ticks = 0;  // ticks that started late (the producer fell behind)
  auto produce_start = clock_type::now();
  auto produce_end = produce_start;  // the last tick's end, before the flush
  std::mutex tid_mutex;
  std::thread produce{[&] {
    {
      std::lock_guard lock{tid_mutex};
      producer_tids.insert(std::to_string(gettid()));
    }
    core::event_generator gen{"density", 42};
    auto base = core::utc_now();
    std::string e;
    char id[64];
    auto next = clock_type::now();
    while (!stop) {
      for (int i = 0; i < n; ++i) {
        // The generator's id of the event it writes next.
        std::snprintf(id, sizeof id, "density-%012llu",
                      static_cast<unsigned long long>(gen.sequence()));
        e.clear();
        gen.next(e, base + core::millis{static_cast<int64_t>(gen.sequence())});
        ids[static_cast<size_t>(i)].emplace_back(id);
        if (producer->produce(topics[static_cast<size_t>(i)], 0, {}, e)) ++produce_errors;
      }
      next += 100ms;
      if (clock_type::now() > next) ++behind_ticks;
      std::this_thread::sleep_until(next);
    }
    produce_end = clock_type::now();
    if (producer->flush(60s)) ++produce_errors;
  }};
  std::this_thread::sleep_for(5s);  // every task reading
  std::set<std::string> load_tids;
  {
    std::lock_guard lock{tid_mutex};
    load_tids = producer_tids;
  }
  auto cpu0 = cpu_seconds();
  auto load0 = thread_cpu_seconds(load_tids);
  auto t0 = clock_type::now();
  std::this_thread::sleep_for(std::chrono::seconds{seconds});
  auto wall = std::chrono::duration<double>(clock_type::now() - t0).count();
  auto load = (thread_cpu_seconds(load_tids) - load0) / wall;
  auto cpu = (cpu_seconds() - cpu0) / wall - load;
  auto threads = status_field("Threads:");
  auto rss = status_field("VmRSS:") / 1024;
  stop = true;
  produce.join();
  auto produced_s = std::chrono::duration<double>(produce_end - produce_start).count();
  REQUIRE(produce_errors == 0);
  size_t sent = 0;
  for (const auto& l : ids) sent += l.size();

  std::printf(
      "started %d tasks in %.1f s; produced %zu events (%.1f per topic per"
      " second; %lld ticks late)\n",
      n, started_s, sent, static_cast<double>(sent) / n / produced_s,
      static_cast<long long>(behind_ticks));
  // The node's threads: all but the bench's own (main, producer, produce loop).
  auto node_threads = threads - threads0 - 1;
  auto node_idle_threads = idle_threads - threads0;
  std::printf(
      "node: cpu %.3f cores, threads %ld (%ld idle), rss %ld MB (%ld MB idle): %.2f MB"
      " and %.2f threads per task; the producer apart: %.3f cores, %ld threads\n",
      cpu, node_threads, node_idle_threads, rss, idle_rss,
      static_cast<double>(rss - idle_rss) / n,
      static_cast<double>(node_threads - node_idle_threads) / n, load,
      static_cast<long>(load_tids.size()));
  std::fflush(stdout);

  // Everything read is published by the suspend; then every event once.
  // Meanwhile, how the API answers while every task hands off at once: a
  // supervisor's status every 20 ms.
  std::atomic<bool> handed_off{false};
  std::vector<double> status_ms;
  int status_failures = 0;
  std::thread status_probe{[&] {
    auto path = "/druid/indexer/v1/supervisor/" + name(0) + "/status";
    while (!handed_off) {
      auto t = clock_type::now();
      auto r = node.get(path);
      status_ms.push_back(
          std::chrono::duration<double, std::milli>(clock_type::now() - t).count());
      if (r.status != 200) ++status_failures;
      std::this_thread::sleep_for(20ms);
    }
  }};
  auto t_suspend = clock_type::now();
  REQUIRE(node.post("/druid/indexer/v1/supervisor/suspendAll", "").status == 200);
  auto deadline = clock_type::now() + 600s;
  while (running_tasks(node) != 0) {
    REQUIRE_MESSAGE(clock_type::now() < deadline, "tasks did not all publish");
    std::this_thread::sleep_for(100ms);
  }
  auto handoff_s = std::chrono::duration<double>(clock_type::now() - t_suspend).count();
  handed_off = true;
  status_probe.join();
  std::sort(status_ms.begin(), status_ms.end());
  REQUIRE(!status_ms.empty());
  std::printf(
      "suspendAll: every task published in %.1f s; a supervisor's status meanwhile: %zu"
      " requests, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d not 200\n",
      handoff_s, status_ms.size(), status_ms[status_ms.size() / 2],
      status_ms[std::min(status_ms.size() - 1, status_ms.size() * 99 / 100)],
      status_ms.back(), status_failures);
  std::fflush(stdout);
  CHECK(status_failures == 0);
  auto s = adapters::open_metadata_store(node.options().metadata_uri);
  REQUIRE_MESSAGE(s, core::error_message(s.error()));
  // A suspend publishes what each task read: the events below its offsets
  // row, each exactly once; the rest is read after a resume.
  size_t produced = 0, committed = 0, missing = 0, duplicated = 0, unexpected = 0;
  for (int i = 0; i < n; ++i) {
    const auto& list = ids[static_cast<size_t>(i)];
    produced += list.size();
    auto row = (*s)->committed_offsets(name(i));
    REQUIRE(row);
    REQUIRE(row->has_value());
    auto k = static_cast<size_t>((*row)->offsets.at("0").value());
    REQUIRE(k <= list.size());
    committed += k;
    std::map<std::string, int> got;
    auto segs = (*s)->segments(name(i), true);
    REQUIRE(segs);
    for (const auto& seg : *segs) {
      auto data = adapters::read_segment(seg.path);
      REQUIRE_MESSAGE(data, core::error_message(data.error()));
      for (size_t r = 0; r < data->rows(); ++r)
        ++got[data->row_json(r).find("id")->as_string()];
    }
    std::set<std::string> want(list.begin(), list.begin() + static_cast<long>(k));
    for (const auto& id : want) {
      auto g = got.find(id);
      if (g == got.end())
        ++missing;
      else if (g->second > 1)
        ++duplicated;
    }
    for (const auto& [id, _] : got)
      if (!want.count(id)) ++unexpected;
  }
  std::printf(
      "exactly once: %zu events produced, %zu below the offsets rows (published), %zu"
      " missing, %zu duplicated, %zu unexpected\n",
      produced, committed, missing, duplicated, unexpected);
  CHECK(committed > produced * 9 / 10);
  CHECK(missing == 0);
  CHECK(duplicated == 0);
  CHECK(unexpected == 0);
}
