// `streamvisor verify` against a real node: clean after ordinary ingestion
// (exit 0), and after an operator's resetOffsets that re-reads one partition
// and skips part of another, it names the duplicated and the missing ids and
// the committed offset that moved backwards while it followed them (exit 1).

#include <filesystem>
#include <fstream>
#include <thread>

#include <httplib.h>

#include <doctest/doctest.h>

#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/metadata_store.hpp"
#include "core/event_generator.hpp"
#include "tests/app/child_process.hpp"

using namespace sv;
using namespace std::chrono_literals;

namespace {

std::string spec(const std::string& kafka) {
  return R"({"type":"kafka","spec":{
    "dataSchema":{"dataSource":"checked",
      "timestampSpec":{"column":"timestamp","format":"iso"},
      "dimensionsSpec":{"dimensions":["id","page"]},
      "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
    "ioConfig":{"topic":"events","inputFormat":{"type":"json"},
      "consumerProperties":{"bootstrap.servers":")" +
         kafka + R"(","fetch.wait.max.ms":"10"},
      "taskCount":1,"taskDuration":"PT3S","startDelay":"PT0S","period":"PT1S",
      "useEarliestOffset":true},
    "tuningConfig":{"type":"kafka"}}})";
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in{p};
  return {std::istreambuf_iterator<char>{in}, {}};
}

}  // namespace

TEST_CASE(
    "streamvisor verify: clean after ingestion; names what a resetOffsets "
    "duplicated and skipped, and the offset that moved backwards") {
  auto dir =
      std::filesystem::temp_directory_path() / ("sv_verify_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test::child dev{{SV_BINARY, "kafka-dev", "--topic", "events:3"}};
  auto first = dev.line();
  REQUIRE(first.rfind("bootstrap: ", 0) == 0);
  auto kafka = first.substr(11);
  auto log = (dir / "serve.log").string();
  test::child node{{SV_BINARY, "serve", "--data-dir", dir.string(), "--listen",
                    "127.0.0.1:0", "--kafka", kafka},
                   log};
  auto port = test::serving_port(log, 60s);
  REQUIRE(port != 0);
  httplib::Client api{"127.0.0.1", port};
  api.set_read_timeout(30, 0);
  auto created =
      api.Post("/druid/indexer/v1/supervisor", spec(kafka), "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 200);

  auto producer = adapters::open_kafka_producer(
      {{"bootstrap.servers", core::json{kafka}}, {"linger.ms", core::json{"5"}}});
  REQUIRE(producer);
  core::event_generator gen{"verify", 11};
  auto base = *core::parse_utc_time("2026-01-01T10:00:00Z");
  core::offset_map end;
  auto produce = [&](int partition, int n) {
    std::string e;
    for (int i = 0; i < n; ++i) {
      e.clear();
      gen.next(e, base + core::millis{static_cast<int64_t>(gen.sequence()) * 10});
      REQUIRE_FALSE((*producer)->produce("events", partition, {}, e));
      ++end[std::to_string(partition)];
    }
    REQUIRE_FALSE((*producer)->flush(30s));
  };
  for (int p = 0; p < 3; ++p) produce(p, 1000);

  auto store = adapters::open_metadata_store("sqlite:" + (dir / "metadata.db").string());
  REQUIRE(store);
  auto wait_committed = [&](const core::offset_map& want) {
    auto deadline = std::chrono::steady_clock::now() + 90s;
    while (true) {
      auto row = (*store)->committed_offsets("checked");
      if (row && row->has_value() && (*row)->offsets == want) return;
      INFO(slurp(log));
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(100ms);
    }
  };
  wait_committed(end);

  auto metadata = "sqlite:" + (dir / "metadata.db").string();
  auto report = (dir / "report.json").string();
  std::vector<std::string> verify{
      SV_BINARY, "verify", "--metadata",         metadata, "--supervisor", "checked",
      "--kafka", kafka,    "--caught-up-within", "30",     "--report",     report};
  {
    test::child clean{verify};
    std::string out, line;
    while (!(line = clean.line()).empty()) out += line + "\n";
    INFO(out);
    CHECK(clean.wait() == 0);
    CHECK(out.find("3000 records in the stream's committed range, 3000 rows published") !=
          std::string::npos);
    CHECK(out.find("caught up: yes") != std::string::npos);
    CHECK(out.find("OK: every record exactly once") != std::string::npos);
    auto j = core::json::parse(slurp(report));
    REQUIRE(j);
    CHECK(j->find("ok")->as_bool());
    CHECK(j->find("expected")->as_int() == 3000);
  }

  // Followed from here on: partition 0 read again from 0 (1000 twice),
  // partition 1 jumps over 300 records nobody reads.
  auto follow_log = (dir / "follow.log").string();
  auto followed = verify;
  followed.push_back("--follow");
  test::child follower{followed, follow_log};
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (slurp(follow_log).find("following the committed offsets") == std::string::npos) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);
  }
  auto suspended = api.Post("/druid/indexer/v1/supervisor/checked/suspend");
  REQUIRE(suspended);
  REQUIRE(suspended->status == 200);
  produce(1, 300);
  auto reset = api.Post("/druid/indexer/v1/supervisor/checked/resetOffsets",
                        R"({"type":"kafka","partitions":{"type":"end","stream":"events",
                            "partitionOffsetMap":{"0":0,"1":1300}}})",
                        "application/json");
  REQUIRE(reset);
  REQUIRE(reset->status == 200);
  // The follower saw the row go back before the supervisor reads again.
  deadline = std::chrono::steady_clock::now() + 30s;
  while (slurp(follow_log).find(R"(committed {"0":0,)") == std::string::npos) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);
  }
  auto resumed = api.Post("/druid/indexer/v1/supervisor/checked/resume");
  REQUIRE(resumed);
  REQUIRE(resumed->status == 200);
  wait_committed(end);
  ::kill(follower.pid, SIGTERM);
  int status = -2;
  REQUIRE(follower.wait_for(60s, status));
  auto out = slurp(follow_log);
  INFO(out);
  CHECK(status == 1);
  CHECK(out.find("3300 records in the stream's committed range, 4000 rows published") !=
        std::string::npos);
  CHECK(out.find("VIOLATIONS") != std::string::npos);
  auto j = core::json::parse(slurp(report));
  REQUIRE(j);
  CHECK_FALSE(j->find("ok")->as_bool());
  CHECK(j->find("duplicated")->find("count")->as_int() == 1000);
  CHECK(j->find("missing")->find("count")->as_int() == 300);
  CHECK(j->find("unexpected")->find("count")->as_int() == 0);
  CHECK(j->find("offsets")->find("count")->as_int() >= 1);
  CHECK(j->find("offsets")->dump().find("partition 0") != std::string::npos);
  CHECK(node.stop() == 0);
  std::filesystem::remove_all(dir);
}
