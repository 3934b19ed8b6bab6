// SIGTERM to a real node while it ingests: the node exits within its grace
// period, and what its tasks had read is published (each event once, no task
// FAILED); the next start goes on from there and loses nothing. Kafka is
// `streamvisor kafka-dev` in a process of its own, so the events outlive the
// node.

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <httplib.h>

#include <doctest/doctest.h>

#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/metadata_store.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/errc.hpp"
#include "core/event_generator.hpp"
#include "tests/app/child_process.hpp"

using namespace sv;
using namespace std::chrono_literals;

namespace {

constexpr int partitions = 4;

struct node_process {
  std::filesystem::path dir;
  std::string kafka;
  std::unique_ptr<test::child> proc;
  int port = 0;

  void start(int grace_s) {
    auto log = (dir / "serve.log").string();
    proc = std::make_unique<test::child>(
        std::vector<std::string>{SV_BINARY, "serve", "--data-dir", dir.string(),
                                 "--listen", "127.0.0.1:0", "--kafka", kafka,
                                 "--graceful-shutdown-timeout", std::to_string(grace_s)},
        log);
    port = test::serving_port(log, 60s);
    if (port == 0) FAIL("the node did not start: " << log);
  }

  httplib::Client api() const {
    httplib::Client c{"127.0.0.1", port};
    c.set_read_timeout(30, 0);
    return c;
  }

  std::string log() const {
    std::ifstream in{dir / "serve.log"};
    return {std::istreambuf_iterator<char>{in}, {}};
  }
};

std::string spec(const std::string& kafka) {
  return R"({"type":"kafka","spec":{
    "dataSchema":{"dataSource":"stop",
      "timestampSpec":{"column":"timestamp","format":"iso"},
      "dimensionsSpec":{"dimensions":["id","page"]},
      "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
    "ioConfig":{"topic":"events","inputFormat":{"type":"json"},
      "consumerProperties":{"bootstrap.servers":")" +
         kafka + R"(","fetch.wait.max.ms":"10"},
      "taskCount":2,"taskDuration":"PT1H","startDelay":"PT1S","period":"PT2S",
      "useEarliestOffset":true},
    "tuningConfig":{"type":"kafka"}}})";
}

// Rows processed so far by the running tasks (their live row stats).
int64_t processed(const node_process& n) {
  auto r = n.api().Get("/druid/indexer/v1/supervisor/stop/stats");
  if (!r || r->status != 200) return -1;
  auto stats = core::json::parse(r->body);
  int64_t sum = 0;
  for (const auto& [_, tasks] : stats->as_object())
    for (const auto& [_, t] : tasks.as_object())
      sum += t.find("totals")->find("buildSegments")->find("processed")->as_int();
  return sum;
}

}  // namespace

TEST_CASE(
    "SIGTERM while ingesting: the node exits within its grace period, every "
    "event its tasks read is published once, and none is lost at the next start") {
  auto dir =
      std::filesystem::temp_directory_path() / ("sv_stop_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test::child dev{
      {SV_BINARY, "kafka-dev", "--topic", "events:" + std::to_string(partitions)}};
  auto first = dev.line();
  REQUIRE(first.rfind("bootstrap: ", 0) == 0);
  node_process node{dir, first.substr(11), nullptr, 0};
  node.start(20);
  auto created = node.api().Post("/druid/indexer/v1/supervisor", spec(node.kafka),
                                 "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 200);
  // The seed's Kinesis example (with the lag-based autoscaler) runs beside it:
  // its autoscaler once outlived its stopped supervisor and held the stop.
  std::ifstream kinesis{SV_TEST_DATA_DIR "/specs/kinesis_autoscaler.json"};
  std::string kinesis_spec{std::istreambuf_iterator<char>{kinesis}, {}};
  auto second =
      node.api().Post("/druid/indexer/v1/supervisor", kinesis_spec, "application/json");
  REQUIRE(second);
  REQUIRE(second->status == 200);

  // Unique events, round-robin, while the node reads them.
  auto producer = adapters::open_kafka_producer(
      {{"bootstrap.servers", core::json{node.kafka}}, {"linger.ms", core::json{"5"}}});
  REQUIRE(producer);
  std::vector<std::vector<std::string>> ids(partitions);
  core::event_generator gen{"stop", 7};
  auto base = *core::parse_utc_time("2026-01-01T10:00:00Z");
  auto produce = [&](int n) {
    std::string e;
    for (int i = 0; i < n; ++i) {
      e.clear();
      gen.next(e, base + core::millis{static_cast<int64_t>(gen.sequence()) * 10});
      auto p = static_cast<int>(gen.sequence() % partitions);
      ids[static_cast<size_t>(p)].push_back(
          core::json::parse(e)->find("id")->as_string());
      REQUIRE_FALSE((*producer)->produce("events", p, {}, e));
    }
    REQUIRE_FALSE((*producer)->flush(30s));
  };
  produce(20000);
  // The tasks are reading (taskDuration is an hour: nothing is published yet).
  auto deadline = std::chrono::steady_clock::now() + 60s;
  int64_t read_before = 0;
  while ((read_before = processed(node)) < 5000) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(20ms);
  }
  produce(20000);  // still arriving when the signal comes

  auto signalled = std::chrono::steady_clock::now();
  ::kill(node.proc->pid, SIGTERM);
  int status = -2;
  bool exited = node.proc->wait_for(25s, status);
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled);
  INFO(node.log());
  REQUIRE(exited);
  CHECK(status == 0);
  CHECK(took < 20s);
  MESSAGE("the node stopped " << took.count() << " s after SIGTERM, having read "
                              << read_before << "+ events");

  // What was read is published: the row, and the segments hold each event of
  // [0, row) once, nothing else.
  auto store = adapters::open_metadata_store("sqlite:" + (dir / "metadata.db").string());
  REQUIRE(store);
  auto row = (*store)->committed_offsets("stop");
  REQUIRE(row);
  REQUIRE(row->has_value());
  int64_t committed = 0;
  for (const auto& [_, o] : (*row)->offsets) committed += o.value();
  CHECK(committed >= read_before);
  auto published = [&] {
    std::map<std::string, int> out;
    auto segs = (*store)->segments("stop", true);
    REQUIRE(segs);
    for (const auto& s : *segs) {
      auto data = adapters::read_segment(s.path);
      REQUIRE(data);
      for (size_t r = 0; r < data->rows(); ++r)
        ++out[data->row_json(r).find("id")->as_string()];
    }
    return out;
  };
  auto check_prefix = [&](const core::offset_map& upto) {
    auto got = published();
    size_t expected = 0, wrong = 0;
    for (int p = 0; p < partitions; ++p) {
      auto end = upto.count(std::to_string(p)) ? upto.at(std::to_string(p)) : 0;
      for (int64_t o = 0; o < end; ++o, ++expected) {
        auto i = got.find(ids[static_cast<size_t>(p)][static_cast<size_t>(o)]);
        wrong += i == got.end() || i->second != 1;
      }
    }
    CHECK(wrong == 0);
    CHECK(got.size() == expected);
  };
  check_prefix((*row)->offsets);
  core::task_filter all;
  all.supervisor_id = "stop";
  auto tasks = (*store)->tasks(all);
  REQUIRE(tasks);
  REQUIRE_FALSE(tasks->empty());
  for (const auto& t : *tasks) {
    CAPTURE(t.id);
    CHECK(t.status == "SUCCESS");
  }

  // The next start reads on from the row: everything, once.
  node.start(20);
  core::offset_map produced_end;
  for (int p = 0; p < partitions; ++p)
    produced_end[std::to_string(p)] =
        static_cast<int64_t>(ids[static_cast<size_t>(p)].size());
  deadline = std::chrono::steady_clock::now() + 90s;
  while (true) {
    auto now = (*store)->committed_offsets("stop");
    if (now && now->has_value() && (*now)->offsets == produced_end) break;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    // An hour-long task publishes when handed off.
    node.api().Post("/druid/indexer/v1/supervisor/stop/taskGroups/handoff",
                    R"({"taskGroupIds":[0,1]})", "application/json");
    std::this_thread::sleep_for(1s);
  }
  check_prefix(produced_end);
  CHECK(node.proc->stop() == 0);
  std::filesystem::remove_all(dir);
}
