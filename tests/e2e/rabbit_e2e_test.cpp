// RabbitMQ Stream supervisors on a real node and a real RabbitMQ
// (STREAMVISOR_TEST_RABBIT*, started by scripts/test): a 3-partition super
// stream read through roll-overs with replicas 2, suspend and resume while
// events arrive, reset to latest and backfill while they arrive, the broker
// stopped and started mid-ingestion, a bounded supervisor; refused
// credentials and an unknown super stream in state and recentErrors. After
// each phase the published segments hold every produced event exactly once.

#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/metadata_store.hpp"
#include "adapters/rabbit/rabbit_producer.hpp"
#include "adapters/rabbit/rabbit_reader.hpp"
#include "adapters/segment/segment_file.hpp"
#include "app/commands.hpp"
#include "core/event_generator.hpp"
#include "tests/e2e/stream_e2e_base.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::json;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  REQUIRE_MESSAGE(v != nullptr,
                  name << " is not set: run scripts/test, which starts RabbitMQ");
  return v;
}

// "amqp://guest:guest@127.0.0.1:PORT" -> "amqp://127.0.0.1:PORT"
std::string amqp_address() {
  auto a = env("STREAMVISOR_TEST_RABBIT");
  return "amqp://" + a.substr(a.find('@') + 1);
}

class rabbit_fixture : public test::stream_e2e_base {
 public:
  static constexpr int partitions = 3;
  const std::string stream =
      "rabbit_e2e_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++);

  rabbit_fixture() : stream_e2e_base("rabbit_e2e", 7) {
    auto props = json::make_object({{"amqpUri", amqp_address()}});
    auto ep = core::stream::parse_rabbit_endpoint(
        env("STREAMVISOR_TEST_RABBIT_STREAM"), &props.as_object(),
        [](const std::string&) { return std::nullopt; });
    REQUIRE(ep);
    endpoint = *ep;
    auto p = adapters::open_rabbit_producer(endpoint);
    REQUIRE_MESSAGE(p, core::error_message(p.error()));
    REQUIRE_FALSE((*p)->create_super_stream(stream, partitions));
  }

  static int& counter() {
    static int n = 0;
    return n;
  }

  json spec(const std::string& io_extra = "", const std::string& props_extra = "") {
    auto text = R"({"type":"rabbit","id":")" + id +
                R"(","context":{"useConcurrentLocks":true},
      "spec":{"dataSchema":{"dataSource":")" +
                id + R"(",
        "timestampSpec":{"column":"timestamp","format":"iso"},
        "dimensionsSpec":{"dimensions":["id","page","country"]},
        "metricsSpec":[{"type":"count","name":"count"}],
        "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
      "ioConfig":{"stream":")" +
                stream + R"(","uri":")" + env("STREAMVISOR_TEST_RABBIT_STREAM") +
                R"(","consumerProperties":{"amqpUri":")" + amqp_address() + "\"" +
                props_extra + R"(},
        "inputFormat":{"type":"json"},"taskCount":2,"replicas":2,"taskDuration":"PT8S",
        "startDelay":"PT1S","period":"PT2S","completionTimeout":"PT2M")" +
                (io_extra.empty() ? "" : "," + io_extra) + R"(},
      "tuningConfig":{"type":"rabbit","offsetFetchPeriod":"PT5S"}}})";
    auto j = json::parse(text);
    REQUIRE_MESSAGE(j, text);
    return *j;
  }

  /// Publishes `n` events round-robin over the partitions, spread over `over`.
  void produce(int n, std::chrono::milliseconds over = 0ms) {
    auto p = adapters::open_rabbit_producer(endpoint);
    REQUIRE_MESSAGE(p, core::error_message(p.error()));
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      if (over.count() > 0 && i % 100 == 0)
        std::this_thread::sleep_until(start + over * i / n);
      auto e = next_event();
      auto err = (*p)->publish(stream, static_cast<int32_t>(i % partitions), e);
      REQUIRE_MESSAGE(!err, core::error_message(err));
    }
    auto err = (*p)->flush(60s);
    REQUIRE_MESSAGE(!err, core::error_message(err));
  }

  std::thread produce_async(int n, std::chrono::milliseconds over) {
    return std::thread{[this, n, over] { produce(n, over); }};
  }

  core::offset_map stream_end() override {
    adapters::rabbit_reader_config cfg;
    cfg.endpoint = endpoint;
    cfg.super_stream = stream;
    auto r = adapters::open_rabbit_reader(cfg);
    REQUIRE(r);
    auto ps = (*r)->partitions(10s);
    REQUIRE_MESSAGE(ps, core::error_message(ps.error()));
    auto latest = (*r)->latest_offsets(*ps, 10s);
    REQUIRE_MESSAGE(latest, core::error_message(latest.error()));
    return *latest;
  }

  /// After a broker start: waits until every member stream answers again
  /// (RabbitMQ refuses to route to a stream whose leader has not restarted).
  void wait_streams_available(std::chrono::seconds timeout = 60s) {
    adapters::rabbit_reader_config cfg;
    cfg.endpoint = endpoint;
    cfg.super_stream = stream;
    auto r = adapters::open_rabbit_reader(cfg);
    REQUIRE(r);
    std::vector<std::string> ps;
    for (int p = 0; p < partitions; ++p) ps.push_back(stream + "-" + std::to_string(p));
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto latest = (*r)->latest_offsets(ps, 5s);
      if (latest) return;
      last = core::error_message(latest.error());
      std::this_thread::sleep_for(200ms);
    }
    FAIL("the streams did not come back: " << last);
  }

  core::stream::rabbit_endpoint endpoint;
};

}  // namespace

TEST_CASE_FIXTURE(
    rabbit_fixture,
    "rabbit: exactly once through roll-overs with replicas 2, suspend and resume") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(R"("useEarliestOffset":true)"))
              .status == 200);
  // ~20 s of events while the groups roll over every 8 s.
  produce(30000, 20s);
  wait_caught_up();
  check_exactly_once();
  // The operator's check says the same.
  CHECK(app::run_verify({"--metadata", options().metadata_uri, "--supervisor", id}) == 0);
  auto s = status();
  CHECK(s.find("partitions")->as_int() == partitions);
  CHECK(s.find("stream")->as_string() == stream);
  // Druid's task type and group for rabbit.
  auto tasks = get("/druid/indexer/v1/tasks?datasource=" + id).json();
  REQUIRE_FALSE(tasks.as_array().empty());
  for (const auto& t : tasks.as_array()) {
    CHECK(t.find("type")->as_string() == "index_rabbit");
    CHECK(t.find("groupId")->as_string() == "index_rabbit_" + id);
  }

  // Suspended while events arrive, resumed: every one of them, once.
  auto producing = produce_async(12000, 6s);
  std::this_thread::sleep_for(2s);
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED");
  std::this_thread::sleep_for(1s);
  REQUIRE(post_empty(sup("/resume")).status == 200);
  producing.join();
  wait_caught_up();
  check_exactly_once();
}

TEST_CASE_FIXTURE(rabbit_fixture,
                  "rabbit: reset to latest and backfill while events arrive") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(R"("useEarliestOffset":false)"))
              .status == 200);
  wait_state("RUNNING");
  produce(6000);
  wait_caught_up();
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED");
  produce(30000);  // the supervisor falls behind
  REQUIRE(post_empty(sup("/resume")).status == 200);
  wait_state("RUNNING");
  auto producing = produce_async(15000, 5s);
  std::this_thread::sleep_for(1s);
  auto reply = post_empty(sup("/resetToLatestAndBackfill"));
  REQUIRE_MESSAGE(reply.status == 200, reply.body);
  auto backfill = reply.json().find("backfillSupervisorId")->as_string();
  // The backfill covers what the supervisor had not read when it jumped.
  auto from = *core::offset_map_from_json(*reply.json().find("startOffsets"));
  auto to = *core::offset_map_from_json(*reply.json().find("endOffsets"));
  int64_t skipped_offsets = 0;
  for (const auto& [p, o] : from) skipped_offsets += to.at(p) - o;
  MESSAGE("the backfill covers " << skipped_offsets << " offsets");
  CHECK(skipped_offsets > 0);
  producing.join();
  wait_state("COMPLETED", 120s, backfill);
  wait_caught_up();
  check_exactly_once();
}

TEST_CASE_FIXTURE(rabbit_fixture,
                  "rabbit: the broker stopped and started mid-ingestion") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(R"("useEarliestOffset":true)"))
              .status == 200);
  produce(10000);
  wait_state("RUNNING");
  auto ctl = env("STREAMVISOR_TEST_RABBIT_CTL");
  REQUIRE(std::system((ctl + " stop").c_str()) == 0);
  wait_state("LOST_CONTACT_WITH_STREAM", 60s);
  REQUIRE(std::system((ctl + " start").c_str()) == 0);
  wait_streams_available();
  produce(10000);
  wait_caught_up();
  wait_state("RUNNING", 60s);
  check_exactly_once();
}

TEST_CASE_FIXTURE(rabbit_fixture,
                  "rabbit: refused credentials and an unknown stream are shown") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor",
                    spec(R"("useEarliestOffset":true)", R"(,"password":"wrong")"))
              .status == 200);
  wait_state("UNABLE_TO_CONNECT_TO_STREAM", 60s);
  auto errors = status().find("recentErrors")->as_array();
  REQUIRE_FALSE(errors.empty());
  auto message = errors.back().find("message")->as_string();
  CHECK(message.find("refused the credentials of user 'guest'") != std::string::npos);

  auto unknown = spec(R"("useEarliestOffset":true)");
  unknown.set("id", "rabbit_unknown");
  unknown.find("spec")->find("dataSchema")->set("dataSource", "rabbit_unknown");
  unknown.find("spec")->find("ioConfig")->set("stream", "no_such_super_stream");
  REQUIRE(post_json("/druid/indexer/v1/supervisor", unknown).status == 200);
  auto deadline = std::chrono::steady_clock::now() + 60s;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto e = status("rabbit_unknown").find("recentErrors")->as_array();
    if (!e.empty()) last = e.back().find("message")->as_string();
    if (last.find("no_such_super_stream") != std::string::npos) break;
    std::this_thread::sleep_for(200ms);
  }
  CHECK(last.find("super stream 'no_such_super_stream' does not exist") !=
        std::string::npos);
}

TEST_CASE_FIXTURE(rabbit_fixture,
                  "rabbit: a bounded supervisor reads its range exactly") {
  produce(3000);
  // Where each id sits, as the stream says (offsets are not counted).
  std::map<std::string, std::vector<std::pair<core::stream_offset, std::string>>> at;
  {
    adapters::rabbit_reader_config cfg;
    cfg.endpoint = endpoint;
    cfg.super_stream = stream;
    auto r = adapters::open_rabbit_reader(cfg);
    REQUIRE(r);
    core::offset_map from;
    for (int p = 0; p < partitions; ++p) from[stream + "-" + std::to_string(p)] = 0;
    REQUIRE_FALSE((*r)->assign(from));
    adapters::record_batch batch;
    size_t n = 0;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (n < 3000 && std::chrono::steady_clock::now() < deadline) {
      auto k = (*r)->poll(batch, 1000, 200ms);
      REQUIRE(k);
      for (const auto& rec : batch.records)
        at[batch.partition_of(rec)].emplace_back(
            rec.offset, json::parse(rec.value)->find("id")->as_string());
      n += *k;
    }
    REQUIRE(n == 3000);
  }
  // [100th record, 700th record) of each partition.
  json starts = json::make_object({}), ends = json::make_object({});
  std::set<std::string> wanted;
  for (const auto& [p, recs] : at) {
    starts.set(p, core::to_json(recs[100].first));
    ends.set(p, core::to_json(recs[700].first));
    for (size_t i = 100; i < 700; ++i) wanted.insert(recs[i].second);
  }
  auto bounded =
      json::make_object({{"startSequenceNumbers", starts}, {"endSequenceNumbers", ends}});
  auto s = spec(R"("useEarliestOffset":true)");
  s.find("spec")->find("ioConfig")->set("boundedStreamConfig", bounded);
  REQUIRE(post_json("/druid/indexer/v1/supervisor", s).status == 200);
  wait_state("COMPLETED", 120s);
  {
    std::lock_guard<std::mutex> g{mtx};
    produced = wanted;  // only the range is expected
  }
  check_exactly_once();
}
