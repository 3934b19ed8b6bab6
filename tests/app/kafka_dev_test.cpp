// `streamvisor kafka-dev` as a separate process: any client can use it, and its
// control API injects faults.

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <httplib.h>

#include <doctest/doctest.h>

#include "adapters/kafka/kafka_reader.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/errc.hpp"
#include "tests/adapters/kafka_env.hpp"
#include "tests/app/child_process.hpp"

using namespace sv;
using namespace std::chrono_literals;
using test::child;

namespace {

std::string after(const std::string& line, const std::string& prefix) {
  REQUIRE_MESSAGE(line.rfind(prefix, 0) == 0, ("unexpected output: " + line));
  return line.substr(prefix.size());
}

}  // namespace

TEST_CASE("kafka-dev serves Kafka to other processes and takes fault injections") {
  auto dir = std::filesystem::temp_directory_path() /
             ("sv_kafkadev_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto file = (dir / "bootstrap").string();
  child dev{{SV_BINARY, "kafka-dev", "--topic", "events:3", "--bootstrap-file", file}};
  auto bootstrap = after(dev.line(), "bootstrap: ");
  auto control = after(dev.line(), "control: http://");
  {
    std::ifstream in{file};
    std::string written;
    std::getline(in, written);
    CHECK(written == bootstrap);
  }
  auto colon = control.rfind(':');
  httplib::Client api{control.substr(0, colon), std::stoi(control.substr(colon + 1))};
  auto info = api.Get("/");
  REQUIRE(info);
  CHECK(info->body.find(bootstrap) != std::string::npos);
  auto created =
      api.Post("/topics", R"({"name":"more","partitions":2})", "application/json");
  REQUIRE(created);
  CHECK(created->status == 200);

  // kcat writes; our reader (another client) reads exactly that.
  auto cmd = "printf 'a\\nb\\nc\\n' | kcat -b " + bootstrap + " -P -t events -p 1 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  adapters::kafka_reader_config cfg;
  cfg.topic = "events";
  cfg.consumer_properties = core::json::make_object({{"bootstrap.servers", bootstrap},
                                                     {"fetch.wait.max.ms", "10"}})
                                .as_object();
  auto reader = adapters::open_kafka_reader(cfg);
  REQUIRE(reader);
  auto ps = (*reader)->partitions(5s);
  REQUIRE(ps);
  CHECK(ps->size() == 3);
  CHECK((*reader)->latest_offsets(*ps, 5s)->at("1") == 3);

  // Broker down through the control API: the reader sees it; up again: it reads.
  REQUIRE_FALSE((*reader)->assign({{"1", 0}}));
  REQUIRE(api.Post("/brokers/all/down", "", "application/json")->status == 200);
  std::vector<test::read_record> got;
  auto err = test::read_until(
      **reader, got, [] { return false; }, 30s);
  INFO(core::error_message(err));
  CHECK(adapters::is(err, adapters::errc::stream_unreachable));
  REQUIRE(api.Post("/brokers/all/up", "", "application/json")->status == 200);
  err = test::read_until(
      **reader, got, [&] { return got.size() >= 3; }, 60s, 100, true);
  REQUIRE_MESSAGE(!err, core::error_message(err));
  CHECK(got.size() == 3);
  CHECK(got[0].value == "a");
  CHECK(got[2].value == "c");

  // Injected ListOffsets errors are reported and retried within the timeout.
  REQUIRE(api.Post("/errors",
                   R"({"apiKey":"ListOffsets","errors":["NOT_LEADER_FOR_PARTITION"]})",
                   "application/json")
              ->status == 200);
  auto hi = (*reader)->latest_offsets(*ps, 5s);
  REQUIRE_MESSAGE(hi, core::error_message(hi.error()));
  CHECK(hi->at("1") == 3);
  CHECK(api.Post("/brokers/9/down", "", "application/json")->status == 400);
  (*reader)->close();
  CHECK(dev.stop() == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("generate writes unique wiki-edit events round-robin") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("wiki", 2));
  child gen{{SV_BINARY, "generate", "--topic", "wiki", "--bootstrap",
             env.cluster->bootstrap(), "--rate", "0", "--count", "1000", "--run", "t1"}};
  int status = 0;
  ::waitpid(gen.pid, &status, 0);
  gen.pid = -1;
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  auto r = env.reader("wiki");
  CHECK(*r->latest_offsets({"0", "1"}, 5s) == core::offset_map{{"0", 500}, {"1", 500}});
  REQUIRE_FALSE(r->assign({{"0", 0}, {"1", 0}}));
  std::vector<test::read_record> got;
  REQUIRE_FALSE(test::read_until(*r, got, [&] { return got.size() >= 1000; }));
  std::set<std::string> ids;
  for (const auto& rec : got) {
    auto j = core::json::parse(rec.value);
    REQUIRE(j);
    ids.insert(j->find("id")->as_string());
  }
  CHECK(ids.size() == 1000);
  CHECK(ids.count("t1-000000000999") == 1);
}

TEST_CASE("dump-segment prints a segment's rows as JSON lines and its header") {
  auto dir =
      std::filesystem::temp_directory_path() / ("sv_dump_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  core::segment_data d;
  d.data_source = "wiki";
  d.start = *core::parse_utc_time("2026-01-01");
  d.end = *core::parse_utc_time("2026-01-02");
  d.time = {1767225600000, 1767225601000};
  core::column_data page;
  page.name = "page";
  page.dictionary = {"A", "B"};
  page.ids = {2, 0};
  d.dimensions.push_back(page);
  core::column_data count;
  count.name = "count";
  count.type = core::column_type::long_;
  count.aggregator = "count";
  count.longs = {3, 4};
  d.metrics.push_back(count);
  auto file = (dir / "s.seg").string();
  REQUIRE_FALSE(adapters::write_segment(d, file));
  child rows{{SV_BINARY, "dump-segment", file}};
  CHECK(rows.line() == R"({"__time":1767225600000,"page":"B","count":3})");
  CHECK(rows.line() == R"({"__time":1767225601000,"page":null,"count":4})");
  CHECK(rows.line().empty());
  child meta{{SV_BINARY, "dump-segment", file, "--dump", "metadata"}};
  std::string header;
  for (std::string l = meta.line(); !l.empty(); l = meta.line()) header += l;
  auto h = core::json::parse(header);
  REQUIRE(h);
  CHECK(h->find("numRows")->as_int() == 2);
  CHECK(h->find("dataSource")->as_string() == "wiki");
  std::filesystem::remove_all(dir);
}
