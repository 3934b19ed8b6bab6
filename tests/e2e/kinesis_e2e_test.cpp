// Kinesis supervisors on a real node and a local Kinesis emulator
// (STREAMVISOR_TEST_KINESIS, started by scripts/test): a 4-shard stream read
// through roll-overs with replicas 2, and the seed's example spec run as it is
// apart from its endpoint and stream. After each phase the published segments
// hold every produced event exactly once.

#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdlib>
#include <thread>

#include "adapters/kinesis/kinesis_producer.hpp"
#include "adapters/kinesis/kinesis_reader.hpp"
#include "app/commands.hpp"
#include "tests/e2e/stream_e2e_base.hpp"
#include "tests/test_data.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::json;

namespace {

std::string kinesis_url() {
  const char* v = std::getenv("STREAMVISOR_TEST_KINESIS");
  REQUIRE_MESSAGE(v != nullptr,
                  "STREAMVISOR_TEST_KINESIS is not set: run scripts/test, which starts "
                  "a Kinesis emulator");
  return v;
}

class kinesis_fixture : public test::stream_e2e_base {
 public:
  static constexpr int shards = 4;
  const std::string stream =
      "kinesis-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++);

  kinesis_fixture() : stream_e2e_base("kinesis_e2e", 11) {
    auto ep = core::stream::parse_kinesis_endpoint(
        kinesis_url(), [](const std::string&) { return std::nullopt; });
    REQUIRE(ep);
    endpoint = *ep;
    producer = std::make_unique<adapters::kinesis_producer>(endpoint);
    REQUIRE_FALSE(producer->create_stream(stream, shards));
  }

  static int& counter() {
    static int n = 0;
    return n;
  }

  json spec(const std::string& io_extra = "") {
    auto text = R"({"type":"kinesis","id":")" + id +
                R"(","context":{"useConcurrentLocks":true},
      "spec":{"dataSchema":{"dataSource":")" +
                id + R"(",
        "timestampSpec":{"column":"timestamp","format":"iso"},
        "dimensionsSpec":{"dimensions":["id","page","country"]},
        "metricsSpec":[{"type":"count","name":"count"}],
        "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
      "ioConfig":{"stream":")" +
                stream + R"(","endpoint":")" + kinesis_url() + R"(",
        "inputFormat":{"type":"json"},"taskCount":2,"replicas":2,"taskDuration":"PT8S",
        "startDelay":"PT1S","period":"PT2S","completionTimeout":"PT2M")" +
                (io_extra.empty() ? "" : "," + io_extra) + R"(},
      "tuningConfig":{"type":"kinesis","offsetFetchPeriod":"PT5S"}}})";
    auto j = json::parse(text);
    REQUIRE_MESSAGE(j, text);
    return *j;
  }

  /// Writes `n` events over 16 partition keys, spread over `over`.
  void produce(int n, std::chrono::milliseconds over = 0ms) {
    adapters::kinesis_producer p{endpoint};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, std::string>> batch;
    for (int i = 0; i < n; ++i) {
      batch.emplace_back("key-" + std::to_string(i % 16), next_event());
      if (batch.size() == 500 || i + 1 == n) {
        auto err = p.put(stream, batch);
        REQUIRE_MESSAGE(!err, core::error_message(err));
        batch.clear();
        if (over.count() > 0) std::this_thread::sleep_until(start + over * (i + 1) / n);
      }
    }
  }

  std::thread produce_async(int n, std::chrono::milliseconds over) {
    return std::thread{[this, n, over] { produce(n, over); }};
  }

  core::offset_map stream_end() override {
    adapters::kinesis_reader_config cfg;
    cfg.endpoint = endpoint;
    cfg.stream = stream;
    auto r = adapters::open_kinesis_reader(cfg);
    REQUIRE(r);
    auto ps = (*r)->partitions(10s);
    REQUIRE_MESSAGE(ps, core::error_message(ps.error()));
    auto latest = (*r)->latest_offsets(*ps, 10s);
    REQUIRE_MESSAGE(latest, core::error_message(latest.error()));
    return *latest;
  }

  core::stream::kinesis_endpoint endpoint;
  std::unique_ptr<adapters::kinesis_producer> producer;
};

}  // namespace

TEST_CASE_FIXTURE(
    kinesis_fixture,
    "kinesis: a 4-shard stream exactly once through roll-overs with replicas 2") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor",
                    spec(R"("useEarliestSequenceNumber":true)"))
              .status == 200);
  // ~16 s of events while the groups roll over every 8 s.
  produce(6000, 16s);
  wait_caught_up();
  check_exactly_once();
  CHECK(app::run_verify({"--metadata", options().metadata_uri, "--supervisor", id}) == 0);
  // Lag is time: minimumLagMillis per shard, never a record count.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!status().find("minimumLagMillis")->is_object()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(200ms);
  }
  auto s = status();
  CHECK(s.find("minimumLagMillis")->as_object().size() == shards);
  CHECK(s.find("aggregateLagMillis")->is_int());
  CHECK(s.find("minimumLag")->is_null());
  CHECK(s.find("partitions")->as_int() == shards);
  CHECK(s.find("stream")->as_string() == stream);
  auto tasks = get("/druid/indexer/v1/tasks?datasource=" + id).json();
  REQUIRE_FALSE(tasks.as_array().empty());
  for (const auto& t : tasks.as_array()) {
    CHECK(t.find("type")->as_string() == "index_kinesis");
    CHECK(t.find("groupId")->as_string() == "index_kinesis_" + id);
  }
  // The row holds Kinesis sequence numbers.
  for (const auto& [p, o] : committed()) CHECK(o > core::stream_offset{INT64_MAX});
}

TEST_CASE_FIXTURE(kinesis_fixture, "kinesis: the seed's example spec runs as it is") {
  // Unchanged apart from its endpoint, stream and (so the test can find it)
  // its datasource.
  auto seed = json::parse(test::read_data("specs/kinesis_autoscaler.json"));
  REQUIRE(seed);
  seed->find("dataSchema")->set("dataSource", id);
  seed->find("ioConfig")->set("stream", stream);
  seed->find("ioConfig")->set("endpoint", kinesis_url());
  produce(2000);
  auto r = post_json("/druid/indexer/v1/supervisor", *seed);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  // It reads from latest (useEarliestSequenceNumber is false): what comes now.
  wait_state("RUNNING", 60s);
  {
    std::lock_guard<std::mutex> g{mtx};
    produced.clear();
  }
  // Its tasks run for an hour; once they read everything, a suspend makes them
  // publish. Events written after the tasks started are theirs.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (status().find("activeTasks")->as_array().empty()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(200ms);
  }
  produce(3000);
  auto end = stream_end();
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", 60s);
  wait_committed(end, 120s);
  check_exactly_once();
}

TEST_CASE_FIXTURE(kinesis_fixture,
                  "kinesis: a shard split and a merge during ingestion") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor",
                    spec(R"("useEarliestSequenceNumber":true)"))
              .status == 200);
  auto producing = produce_async(6000, 18s);
  std::this_thread::sleep_for(4s);
  REQUIRE_FALSE(producer->split(stream, "shardId-000000000000"));
  std::this_thread::sleep_for(5s);
  REQUIRE_FALSE(producer->merge(stream, "shardId-000000000002", "shardId-000000000003"));
  producing.join();
  auto open = producer->shards(stream);
  REQUIRE(open);
  CHECK(open->size() == 7);  // 4 + 2 children + 1 merged
  wait_caught_up(180s);
  check_exactly_once();
  for (const auto& [p, o] : committed())
    if (p == "shardId-000000000000" || p == "shardId-000000000002" ||
        p == "shardId-000000000003")
      CHECK_MESSAGE(o.is_end(), p);
}

TEST_CASE_FIXTURE(kinesis_fixture,
                  "kinesis: reset to latest and backfill while events arrive") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor",
                    spec(R"("useEarliestSequenceNumber":false)"))
              .status == 200);
  wait_state("RUNNING");
  std::this_thread::sleep_for(3s);  // the first tasks start at latest
  produce(1500);
  wait_caught_up();
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED");
  produce(3000);  // the supervisor falls behind
  REQUIRE(post_empty(sup("/resume")).status == 200);
  wait_state("RUNNING");
  auto producing = produce_async(3000, 6s);
  std::this_thread::sleep_for(1s);
  auto reply = post_empty(sup("/resetToLatestAndBackfill"));
  REQUIRE_MESSAGE(reply.status == 200, reply.body);
  auto backfill = reply.json().find("backfillSupervisorId")->as_string();
  // A concrete boundary on every shard: a sequence number past the start.
  auto from = *core::offset_map_from_json(*reply.json().find("startOffsets"));
  auto to = *core::offset_map_from_json(*reply.json().find("endOffsets"));
  REQUIRE(from.size() == shards);
  for (const auto& [p, o] : from) CHECK(to.at(p) > o);
  producing.join();
  wait_state("COMPLETED", 120s, backfill);
  wait_caught_up();
  check_exactly_once();
}
