// Reset to latest and backfill, measured on a real node (embedded Kafka,
// SQLite, HTTP) with the end-to-end fixture, every event checked exactly once
// in the published segments at the end of each part.
//
// 1. Scaling: a supervisor falls behind by 600,000 events (64 partitions),
//    then resets to latest and backfills with backfillTaskCount 1, and on a
//    fresh node with 2. The backfill's reading rate is the rows it processed
//    from the first poll of its live row stats (every 10 ms) that saw any to
//    the poll that saw its whole range, over that time; the figure is
//    rate(2) / (2 x rate(1)), and against linear up to the cores. Beside it: the
//    process's CPU over the same time (node, embedded Kafka and bench in one
//    process), events per busy core of 2 tasks against 1, and the longest
//    time the processed count stood still.
// 2. Fresh data: 20 calls while 1,000 events/s arrive; for each, the time
//    from the reply until every active task of the main supervisor reads
//    from the reply's endOffsets (L) or later (status polled every 5 ms).
//
//   BACKFILL_BENCH_RANGE=600000 BACKFILL_BENCH_PARTITIONS=64 BACKFILL_BENCH_CALLS=20
//     build/bench/backfill_bench
//
// A range read in a tenth of a second cannot be timed with 10 ms polls of row
// stats that move in steps; 600,000 events take about a second per task. The
// embedded Kafka keeps 5 MiB per partition (about 13,000 of these events): a
// range past ~850,000 events over 64 partitions is partly gone before the
// backfill reads it, and the bench says so.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include <doctest/doctest.h>

#include "bench/proc_stats.hpp"
#include "tests/e2e/e2e_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using bench::cpu_seconds;
using core::json;
using clock_type = std::chrono::steady_clock;

namespace {

const std::string context = R"("context":{"useConcurrentLocks":true})";
const std::string streaming = R"("useEarliestOffset":false,"taskDuration":"PT1H")";

int option(const char* name, int fallback) {
  if (const char* v = std::getenv(name)) return std::atoi(v);
  return fallback;
}

// Rows processed by each task of a supervisor: live row stats while a task
// runs, its completion report once it is gone from them.
void processed_rows(test::e2e_fixture& f, const std::string& sup,
                    std::map<std::string, int64_t>& by_task,
                    std::set<std::string>& gone) {
  auto r = f.get("/druid/indexer/v1/supervisor/" + sup + "/stats");
  if (r.status != 200) return;
  auto stats = r.json();  // bound: the loop must not iterate a temporary's member
  std::set<std::string> running;
  for (const auto& [_, tasks] : stats.as_object())
    for (const auto& [id, t] : tasks.as_object()) {
      running.insert(id);
      by_task[id] = t.find("totals")->find("buildSegments")->find("processed")->as_int();
    }
  for (auto& [id, n] : by_task) {
    if (running.count(id) || gone.count(id)) continue;
    auto rep = f.get("/druid/indexer/v1/task/" + id + "/reports");
    REQUIRE(rep.status == 200);
    auto j = rep.json();
    n = j.find("ingestionStatsAndErrors")
            ->find("payload")
            ->find("rowStats")
            ->find("buildSegments")
            ->find("processed")
            ->as_int();
    gone.insert(id);
  }
}

struct backfill_call {
  std::string backfill_id;
  core::offset_map start, end;
  int64_t range = 0;
  int task_count = 0;  ///< backfillTaskCount asked for
};

backfill_call call(test::e2e_fixture& f, int task_count) {
  auto r = f.post_empty(
      f.sup("/resetToLatestAndBackfill?backfillTaskCount=" + std::to_string(task_count)));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto j = r.json();
  backfill_call c;
  c.task_count = task_count;
  c.backfill_id = j.find("backfillSupervisorId")->as_string();
  c.start = *core::offset_map_from_json(*j.find("startOffsets"));
  c.end = *core::offset_map_from_json(*j.find("endOffsets"));
  for (const auto& [p, s] : c.start) c.range += c.end.at(p) - s;
  return c;
}

// A backfill's read, as the bench saw it.
struct backfill_read {
  /// events/s: rows processed from the first poll that saw any to the last
  double rate = 0;
  double cores = 0;          ///< the process's CPU time over that time
  double longest_pause = 0;  ///< ms the processed count stood still in between
  std::string threads;       ///< CPU seconds by thread name over that time
};

backfill_read read_backfill(test::e2e_fixture& f, const backfill_call& c) {
  auto deadline = clock_type::now() + 120s;
  clock_type::time_point first{}, moved{};
  double cpu_first = 0;
  bench::thread_cpu threads_first;
  int64_t last = 0, at_first = 0;
  backfill_read out;
  std::map<std::string, int64_t> by_task;
  std::set<std::string> gone;
  while (clock_type::now() < deadline) {
    processed_rows(f, c.backfill_id, by_task, gone);
    int64_t n = 0;
    for (const auto& [_, rows] : by_task) n += rows;
    auto now = clock_type::now();
    if (n > 0 && first == clock_type::time_point{}) {
      first = moved = now;
      at_first = n;  // rows processed before this poll: their time is not seen
      cpu_first = cpu_seconds();
      threads_first = bench::threads_cpu();
    }
    if (n > last) {
      if (last > 0)
        out.longest_pause =
            std::max(out.longest_pause,
                     std::chrono::duration<double, std::milli>(now - moved).count());
      last = n;
      moved = now;
    }
    if (n >= c.range) {
      auto seconds = std::chrono::duration<double>(now - first).count();
      if (seconds < 0.05)  // too short to time with 10 ms polls
        FAIL("the backfill read " << c.range << " events within " << seconds * 1000
                                  << " ms: too few to time; use a larger range");
      out.rate = static_cast<double>(c.range - at_first) / seconds;
      out.cores = (cpu_seconds() - cpu_first) / seconds;
      out.threads = bench::cpu_by_name(threads_first, bench::threads_cpu());
      return out;
    }
    // Every task done short of the range: the stream no longer held all of it.
    // (Only once every task has been seen: one may finish before another starts.)
    if (by_task.size() >= static_cast<size_t>(c.task_count) &&
        gone.size() == by_task.size())
      FAIL("the backfill completed after " << n << " of " << c.range
                                           << " events: the rest had left the stream "
                                              "(the embedded Kafka keeps 5 MiB per "
                                              "partition); use a smaller range");
    std::this_thread::sleep_for(10ms);
  }
  FAIL("the backfill did not read its range in 120 s");
  return out;
}

backfill_read scaling_run(int task_count, int range, int partitions) {
  test::e2e_fixture f{partitions};
  REQUIRE(f.post_json("/druid/indexer/v1/supervisor", f.spec(streaming, "", context))
              .status == 200);
  f.wait_state("RUNNING");
  REQUIRE(f.post_empty(f.sup("/suspend")).status == 200);
  f.wait_state("SUSPENDED", true);
  f.produce(range);
  REQUIRE(f.post_empty(f.sup("/resume")).status == 200);
  f.wait_state("RUNNING", false, 60s, "", 10ms);
  auto c = call(f, task_count);  // the range: what is left after the resume's first reads
  CHECK(c.range > range / 2);
  auto read = read_backfill(f, c);
  f.wait_state("COMPLETED", false, 120s, c.backfill_id);
  REQUIRE(f.post_empty(f.sup("/suspend")).status == 200);
  f.wait_state("SUSPENDED", true, 120s);
  f.check_exactly_once();
  std::printf(
      "backfillTaskCount %d: %lld events read at %.0f events/s, %.2f cores busy "
      "(longest pause %.0f ms)\n",
      task_count, static_cast<long long>(c.range), read.rate, read.cores,
      read.longest_pause);
  std::printf("  threads (cpu s): %s\n", read.threads.c_str());
  return read;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

TEST_CASE("backfill scaling: backfillTaskCount 1 and 2") {
  int range = option("BACKFILL_BENCH_RANGE", 600000);
  int partitions = option("BACKFILL_BENCH_PARTITIONS", 64);
  std::printf("== backfill scaling: %d events behind, %d partitions\n", range,
              partitions);
  auto one = scaling_run(1, range, partitions);
  auto two = scaling_run(2, range, partitions);
  auto cores = static_cast<double>(std::thread::hardware_concurrency());
  // Linear up to the cores available: a second task can add at most the cores
  // one task leaves free.
  auto capped = std::min(2.0, std::max(1.0, cores / one.cores));
  std::printf(
      "scaling from 1 to 2 backfill tasks: %.2f of linear, %.2f of linear up to the "
      "%.0f cores (one task used %.2f, so 2 tasks could reach %.2f x one); events per "
      "busy core %.2f of one task's (the node and its embedded Kafka share the cores)\n",
      two.rate / (2 * one.rate), two.rate / (capped * one.rate), cores, one.cores, capped,
      (two.rate / two.cores) / (one.rate / one.cores));
  std::fflush(stdout);
}

TEST_CASE("fresh data after reset to latest and backfill, under load") {
  int calls = option("BACKFILL_BENCH_CALLS", 20);
  std::printf("== fresh data: %d calls while 1,000 events/s arrive (16 partitions)\n",
              calls);
  test::e2e_fixture f{16};
  REQUIRE(f.post_json("/druid/indexer/v1/supervisor", f.spec(streaming, "", context))
              .status == 200);
  f.wait_state("RUNNING");
  // Enough events for every call, at 1,000 a second.
  auto seconds = std::chrono::seconds{calls * 3 + 10};
  auto producing = f.produce_async(static_cast<int>(seconds.count()) * 1000, seconds);
  std::vector<double> fresh_ms;
  for (int i = 0; i < calls; ++i) {
    std::this_thread::sleep_for(500ms);  // events arrive between the calls
    auto c = call(f, 1);
    auto replied = clock_type::now();
    while (true) {
      auto status = f.status();
      const auto& active = status.find("activeTasks")->as_array();
      bool at_latest = !active.empty();
      for (const auto& t : active)
        for (const auto& [p, o] : t.find("startingOffsets")->as_object())
          at_latest = at_latest && o.as_int() >= c.end.at(p);
      if (at_latest) break;
      REQUIRE(clock_type::now() - replied < 60s);
      std::this_thread::sleep_for(5ms);
    }
    fresh_ms.push_back(
        std::chrono::duration<double, std::milli>(clock_type::now() - replied).count());
    f.wait_state("COMPLETED", false, 120s, c.backfill_id, 50ms);
  }
  std::printf(
      "reply -> main tasks reading at L: p50 %.0f ms, p99 %.0f ms, max %.0f ms"
      " (%d calls)\n",
      quantile(fresh_ms, 0.5), quantile(fresh_ms, 0.99), quantile(fresh_ms, 1.0), calls);
  std::fflush(stdout);
  producing.join();
  // The main tasks run for an hour: the suspend publishes what they read.
  REQUIRE(f.post_empty(f.sup("/suspend")).status == 200);
  f.wait_state("SUSPENDED", true, 120s);
  f.wait_caught_up();
  f.check_exactly_once();
}
