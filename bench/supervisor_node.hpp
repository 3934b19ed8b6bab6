#pragma once
// The node of the supervisor benchmarks (supervisor_bench.cpp,
// supervisor_density.cpp): the real metadata actor on SQLite, the real task
// runner with idle fake tasks (tests/actors/fake_task.hpp), and N supervisors
// of 2 tasks on an in-memory stream of 8 partitions or on a Kafka's topic "t".

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/metadata_actor.hpp"
#include "actors/probe_hub.hpp"
#include "actors/supervisor_actor.hpp"
#include "actors/task/task_env.hpp"
#include "actors/task_runner_actor.hpp"
#include "adapters/metadata_store.hpp"
#include "bench/proc_stats.hpp"
#include "core/errc.hpp"
#include "messages/type_ids.hpp"
#include "tests/actors/fake_task.hpp"
#include "tests/actors/faulty_store.hpp"

namespace sv::bench {

using clock_type = std::chrono::steady_clock;

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "supervisor_bench: %s\n", what.c_str());
  std::exit(1);
}

inline core::supervisor_spec make_spec(const std::string& id, int task_count,
                                       const std::string& io,
                                       const std::string& bootstrap = "x:9092") {
  auto text = R"({"type":"kafka","id":")" + id + R"(","spec":{
    "dataSchema":{"dataSource":")" +
              id + R"(","timestampSpec":{"column":"ts"},
      "dimensionsSpec":{"dimensions":[]},"granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{"topic":"t","consumerProperties":{"bootstrap.servers":")" +
              bootstrap + R"("},
      "inputFormat":{"type":"json"},"taskCount":)" +
              std::to_string(task_count) + (io.empty() ? "" : "," + io) +
              R"(},"tuningConfig":{"type":"kafka"}}})";
  auto r = core::parse_supervisor_spec_text(text);
  if (!r.ok()) die(core::describe(r.problems));
  return *r.spec;
}

// One node: N supervisors of 2 tasks (see the file's comment).
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

  std::shared_ptr<actors::probe_hub> hub;

  // `kafka` empty: an in-memory stream, one probe actor per supervisor.
  // Else that Kafka's topic "t" (8 partitions): through the node's probe hub,
  // or with `own_probes` a probe and client per supervisor (as before the hub).
  bench_node(const std::string& dir, int supervisors, const std::string& period,
             std::function<void(const std::string&)> on_run = {},
             const std::string& kafka = "", bool own_probes = false) {
    msg::register_message_types(cfg);
    cfg.set("scheduler.max-threads", 2);
    cfg.set("scheduler.policy", caf::atom("sharing"));  // as the node (app/node.cpp)
    sys = std::make_unique<caf::actor_system>(cfg);
    static int runs = 0;  // a fresh store for every node
    auto inner = adapters::open_metadata_store("sqlite:" + dir + "/node" +
                                               std::to_string(++runs) + ".db");
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
    if (!kafka.empty() && own_probes) {
      env.probe_placement = actors::placement::detached;
      env.open_probe = [](const core::supervisor_spec& spec) {
        return actors::open_spec_reader(spec, spec.id + "-supervisor", "");
      };
    } else if (!kafka.empty()) {
      hub = std::make_shared<actors::probe_hub>(
          *sys,
          [](const core::supervisor_spec& spec) {
            return actors::open_probe_reader(spec, "bench-probe", "");
          },
          actors::probe_source_of);
      env.probes = hub;
    }
    listener = caf::actor_cast<caf::actor>(
        sys->spawn([]() -> actors::supervisor_listener::behavior_type {
          return {[](msg::supervisor_state_changed&) {},
                  [](msg::create_backfill_supervisor&) { return msg::ack{}; },
                  [](msg::scale_supervisor&) { return msg::ack{}; }};
        }));
    auto io = R"("taskDuration":"PT1H","startDelay":"PT1S","period":")" + period + "\"";
    for (int i = 0; i < supervisors; ++i)
      sups.push_back(actors::spawn_supervisor(
          *sys,
          make_spec("s" + std::to_string(i), 2, io, kafka.empty() ? "x:9092" : kafka),
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
    if (hub) hub->stop();
  }
};

/// 10,000 supervisors on one node with 1,000 status requests a second
/// (supervisor_density.cpp).
void density_bench(const std::string& dir, int supervisors, int period_s, int seconds,
                   const std::string& kafka = "", bool own_probes = false);

}  // namespace sv::bench
