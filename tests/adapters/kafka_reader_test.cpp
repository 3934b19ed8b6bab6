// The Kafka stream reader over TCP against the embedded (mock) Kafka.

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "tests/adapters/kafka_env.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::offset_map;

TEST_CASE("partitions, earliest and latest offsets") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("t", 4));
  env.fill("t", 4, 25);
  auto r = env.reader("t");
  auto ps = r->partitions(5s);
  REQUIRE(ps);
  CHECK(*ps == std::vector<core::partition_id>{"0", "1", "2", "3"});
  auto lo = r->earliest_offsets(*ps, 5s);
  REQUIRE(lo);
  CHECK(*lo == offset_map{{"0", 0}, {"1", 0}, {"2", 0}, {"3", 0}});
  auto hi = r->latest_offsets(*ps, 5s);
  REQUIRE(hi);
  CHECK(*hi == offset_map{{"0", 25}, {"1", 25}, {"2", 25}, {"3", 25}});
}

TEST_CASE("seek to explicit offsets and poll exactly the rest, in order") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("t", 3));
  env.fill("t", 3, 30);
  auto r = env.reader("t");
  REQUIRE_FALSE(r->assign({{"0", 5}, {"2", 20}}));
  std::vector<test::read_record> got;
  auto err = test::read_until(*r, got, [&] { return got.size() >= 35; });
  REQUIRE_MESSAGE(!err, core::error_message(err));
  CHECK(got.size() == 35);
  std::map<std::string, core::stream_offset> next{{"0", 5}, {"2", 20}};
  for (const auto& rec : got) {
    CAPTURE(rec.partition);
    REQUIRE(next.count(rec.partition));
    CHECK(rec.offset == next[rec.partition]);
    CHECK(rec.value == rec.partition + "-" + rec.offset.to_string());
    CHECK(rec.key == "k-" + rec.offset.to_string());
    ++next[rec.partition];
  }
  CHECK(r->position() == offset_map{{"0", 30}, {"2", 30}});
  // Nothing more arrives.
  adapters::record_batch b;
  auto n = r->poll(b, 100, 200ms);
  REQUIRE(n);
  CHECK(*n == 0);
}

TEST_CASE(
    "a partition stopped mid-read: the others go on where they were, a batch held "
    "stays valid, and an assign reads the stopped one again") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("s", 3));
  env.fill("s", 3, 300);
  auto r = env.reader("s");
  REQUIRE_FALSE(r->assign({{"0", 0}, {"1", 0}, {"2", 0}}));
  // A batch with records, held (as a task holds one it read ahead).
  adapters::record_batch held;
  for (auto deadline = std::chrono::steady_clock::now() + 20s; held.empty();) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    REQUIRE(r->poll(held, 100, 100ms));
  }
  std::vector<test::read_record> got;
  for (const auto& rec : held.records)
    got.push_back({held.partition_of(rec), rec.offset, std::string{rec.key},
                   std::string{rec.value}});
  auto before = r->position();
  REQUIRE_FALSE(r->stop_reading({"1"}));
  CHECK(r->position() == offset_map{{"0", before["0"]}, {"2", before["2"]}});
  // The held batch still reads as it did.
  for (size_t i = 0; i < held.records.size(); ++i)
    CHECK(std::string{held.records[i].value} == got[i].value);
  held.clear();
  auto stopped_at = before["1"];
  auto err = test::read_until(*r, got, [&] {
    size_t n = 0;
    for (const auto& g : got) n += g.partition != "1";
    return n >= 600;
  });
  REQUIRE_MESSAGE(!err, core::error_message(err));
  // Partitions 0 and 2: every record once, in order; partition 1: nothing
  // past where it was stopped.
  std::map<std::string, core::stream_offset> next{{"0", 0}, {"1", 0}, {"2", 0}};
  for (const auto& rec : got) {
    CAPTURE(rec.partition);
    CHECK(rec.offset == next[rec.partition]);
    CHECK(rec.value == rec.partition + "-" + rec.offset.to_string());
    ++next[rec.partition];
  }
  CHECK(next["0"] == 300);
  CHECK(next["2"] == 300);
  CHECK(next["1"] == stopped_at);
  CHECK(r->position() == offset_map{{"0", 300}, {"2", 300}});
  // Assigned again, the stopped partition reads from where it is asked to.
  REQUIRE_FALSE(r->assign({{"1", stopped_at}}));
  got.clear();
  err = test::read_until(*r, got, [&] {
    return got.size() >= static_cast<size_t>(300 - stopped_at.value());
  });
  REQUIRE_MESSAGE(!err, core::error_message(err));
  CHECK(got.size() == static_cast<size_t>(300 - stopped_at.value()));
  if (!got.empty()) CHECK(got.front().offset == stopped_at);
  CHECK(r->position() == offset_map{{"1", 300}});
}

TEST_CASE("an offset above the latest is out of range, with the details") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("t", 2));
  env.fill("t", 2, 25);
  auto r = env.reader("t");
  REQUIRE_FALSE(r->assign({{"0", 0}, {"1", 100}}));
  std::vector<test::read_record> got;
  auto err = test::read_until(*r, got, [] { return false; });
  REQUIRE(adapters::is(err, adapters::errc::offset_out_of_range));
  auto info = adapters::out_of_range_details(err);
  REQUIRE(info);
  CHECK(info->partition == "1");
  CHECK(info->requested == 100);
  CHECK(info->earliest == 0);
  CHECK(info->latest == 25);
  CHECK(core::error_message(err).find("offset 100 of partition 1") != std::string::npos);
}

TEST_CASE("an offset below the earliest (dropped by retention) is out of range") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("r", 1));
  // The mock keeps at most 5 MiB per partition: write ~8 MiB.
  std::string big(1000, 'x');
  for (int i = 0; i < 8000; ++i) REQUIRE_FALSE(env.producer->produce("r", 0, "", big));
  REQUIRE_FALSE(env.producer->flush(30s));
  auto r = env.reader("r");
  auto lo = r->earliest_offsets({"0"}, 5s);
  REQUIRE(lo);
  REQUIRE(lo->at("0") > 0);
  REQUIRE_FALSE(r->assign({{"0", 0}}));
  std::vector<test::read_record> got;
  auto err = test::read_until(*r, got, [] { return false; });
  REQUIRE(adapters::is(err, adapters::errc::offset_out_of_range));
  auto info = adapters::out_of_range_details(err);
  REQUIRE(info);
  CHECK(info->partition == "0");
  CHECK(info->requested == 0);
  CHECK(info->earliest == lo->at("0"));
  CHECK(got.empty());
}

TEST_CASE(
    "broker down, then up: unreachable is reported, then nothing is lost or repeated") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("d", 2));
  env.fill("d", 2, 500);
  auto r = env.reader("d");
  REQUIRE_FALSE(r->assign({{"0", 0}, {"1", 0}}));
  std::vector<test::read_record> got;
  REQUIRE_FALSE(test::read_until(
      *r, got, [&] { return got.size() >= 200; }, 20s, 50));
  REQUIRE_FALSE(env.cluster->set_broker_down(-1));
  auto err = test::read_until(
      *r, got, [] { return false; }, 30s, 50);
  CHECK(adapters::is(err, adapters::errc::stream_unreachable));
  CHECK(core::error_message(err).find("no Kafka broker reachable") != std::string::npos);
  // Polling keeps reporting it while the brokers stay down.
  adapters::record_batch b;
  CHECK_FALSE(r->poll(b, 50, 100ms));
  REQUIRE_FALSE(env.cluster->set_broker_up(-1));
  for (int p = 0; p < 2; ++p)
    for (int i = 500; i < 1000; ++i)
      REQUIRE_FALSE(env.producer->produce("d", p, "k-" + std::to_string(i),
                                          std::to_string(p) + "-" + std::to_string(i)));
  REQUIRE_FALSE(env.producer->flush(30s));
  err = test::read_until(
      *r, got, [&] { return got.size() >= 2000; }, 60s, 50, true);
  REQUIRE_MESSAGE(!err, core::error_message(err));
  std::set<std::string> seen;
  for (const auto& rec : got) {
    CHECK(rec.value == rec.partition + "-" + rec.offset.to_string());
    CHECK(seen.insert(rec.value).second);  // no repeats
  }
  CHECK(seen.size() == 2000);  // nothing lost
}

TEST_CASE("an unknown topic is reported, and not created by asking") {
  test::kafka_env env;
  auto r = env.reader("does-not-exist");
  auto ps = r->partitions(5s);
  REQUIRE_FALSE(ps);
  CHECK(adapters::is(ps.error(), adapters::errc::unknown_topic));
  CHECK(core::error_message(ps.error()).find("[does-not-exist]") != std::string::npos);
  CHECK_FALSE(r->partitions(5s));  // still unknown: the first call created nothing
}

TEST_CASE("a topic pattern covers every matching topic with topic:partition ids") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("metrics-a", 2));
  REQUIRE_FALSE(env.cluster->create_topic("metrics-b", 1));
  REQUIRE_FALSE(env.cluster->create_topic("other", 1));
  env.fill("metrics-a", 2, 3);
  env.fill("metrics-b", 1, 3);
  auto r = env.reader("metrics-.*", true);
  auto ps = r->partitions(5s);
  REQUIRE(ps);
  CHECK(*ps ==
        std::vector<core::partition_id>{"metrics-a:0", "metrics-a:1", "metrics-b:0"});
  auto hi = r->latest_offsets(*ps, 5s);
  REQUIRE(hi);
  CHECK(hi->at("metrics-b:0") == 3);
  REQUIRE_FALSE(r->assign({{"metrics-a:1", 1}, {"metrics-b:0", 0}}));
  std::vector<test::read_record> got;
  REQUIRE_FALSE(test::read_until(*r, got, [&] { return got.size() >= 5; }));
  std::set<std::string> ids;
  for (const auto& rec : got) ids.insert(rec.partition + "@" + rec.offset.to_string());
  CHECK(ids == std::set<std::string>{"metrics-a:1@1", "metrics-a:1@2", "metrics-b:0@0",
                                     "metrics-b:0@1", "metrics-b:0@2"});
}

TEST_CASE("kcat can produce to the embedded Kafka and the reader reads exactly that") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("interop", 2));
  auto path = std::string{"/tmp/sv_kcat_"} + std::to_string(::getpid()) + ".txt";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    for (int i = 0; i < 50; ++i)
      std::fprintf(f, "key%d:{\"i\":%d,\"s\":\"caf\\u00e9\"}\n", i, i);
    std::fclose(f);
  }
  for (int p = 0; p < 2; ++p) {
    auto cmd = "kcat -b " + env.cluster->bootstrap() + " -P -t interop -p " +
               std::to_string(p) + " -K: -l " + path + " 2>&1";
    CAPTURE(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  std::remove(path.c_str());
  auto r = env.reader("interop");
  REQUIRE_FALSE(r->assign({{"0", 0}, {"1", 0}}));
  std::vector<test::read_record> got;
  REQUIRE_FALSE(test::read_until(*r, got, [&] { return got.size() >= 100; }));
  CHECK(got.size() == 100);
  std::multiset<std::string> produced, read;
  for (int p = 0; p < 2; ++p)
    for (int i = 0; i < 50; ++i)
      produced.insert(std::to_string(p) + "|key" + std::to_string(i) +
                      "|{\"i\":" + std::to_string(i) + ",\"s\":\"caf\\u00e9\"}");
  for (const auto& rec : got)
    read.insert(rec.partition + "|" + rec.key + "|" + rec.value);
  CHECK(read == produced);
  // Nothing beyond what was produced.
  adapters::record_batch b;
  CHECK(*r->poll(b, 100, 200ms) == 0);
}

TEST_CASE("reader configuration errors are clear") {
  adapters::kafka_reader_config cfg;
  cfg.topic = "t";
  cfg.consumer_properties = core::json::make_object({{"group.id", "x"}}).as_object();
  auto no_bs = adapters::open_kafka_reader(cfg);
  REQUIRE_FALSE(no_bs);
  CHECK(adapters::is(no_bs.error(), adapters::errc::stream_config));
  cfg.consumer_properties =
      core::json::make_object({{"bootstrap.servers", "embedded"}}).as_object();
  auto no_embedded = adapters::open_kafka_reader(cfg);
  REQUIRE_FALSE(no_embedded);
  CHECK(core::error_message(no_embedded.error()).find("embedded") != std::string::npos);
  cfg.consumer_properties = core::json::make_object({{"bootstrap.servers", "127.0.0.1:1"},
                                                     {"not.a.property", "1"}})
                                .as_object();
  auto bad = adapters::open_kafka_reader(cfg);
  REQUIRE_FALSE(bad);
  CHECK(core::error_message(bad.error()).find("not.a.property") != std::string::npos);
  cfg.consumer_properties =
      core::json::make_object(
          {{"bootstrap.servers", "127.0.0.1:1"},
           {"druid.dynamic.config.provider", "x"},
           {"value.deserializer",
            "org.apache.kafka.common.serialization.ByteArrayDeserializer"}})
          .as_object();
  CHECK(adapters::open_kafka_reader(cfg));
}

TEST_CASE(
    "partitions that reached their end leave the assignment one by one, at once, "
    "and the rest read on exactly") {
  // A task drops each partition as it reaches its end: assignments that shrink
  // in quick succession while fetches are in flight. librdkafka 2.0.2 aborted
  // on the second one before the first one's fetch stops were answered
  // (rd_kafka_assignment_partition_stopped: rktp_started).
  test::kafka_env env;
  constexpr int parts = 8;
  REQUIRE_FALSE(env.cluster->create_topic("t", parts));
  env.fill("t", parts, 200);
  for (int round = 0; round < 20; ++round) {
    auto r = env.reader("t");
    offset_map at;
    for (int p = 0; p < parts; ++p) at[std::to_string(p)] = 0;
    REQUIRE_FALSE(r->assign(at));
    adapters::record_batch b;
    offset_map next = at;
    for (int left = parts; left > 1; --left) {
      // Read a little (or not at all: back to back), then drop one partition
      // at the positions reached.
      if (round % 2 == 0) REQUIRE(r->poll(b, 50, 5ms));
      for (const auto& rec : b.records) {
        const auto& p = b.partition_of(rec);
        REQUIRE(next.count(p));
        CHECK(rec.offset == next[p]);
        next[p] = rec.offset + 1;
      }
      next.erase(std::to_string(left - 1));
      CHECK(r->position().size() == static_cast<size_t>(left));
      REQUIRE_FALSE(r->assign(next));
      CHECK(r->position() == next);
    }
    // The last partition reads on from where it was, to its end.
    std::vector<test::read_record> got;
    auto err = test::read_until(*r, got, [&] { return r->position().at("0") == 200; });
    REQUIRE_MESSAGE(!err, core::error_message(err));
    for (const auto& rec : got) {
      CHECK(rec.partition == "0");
      CHECK(rec.offset == next["0"]++);
    }
  }
}

TEST_CASE("record headers come with a batch that asks for them, and only then") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("h", 1));
  {
    char err[256];
    auto* conf = rd_kafka_conf_new();
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", env.cluster->bootstrap().c_str(),
                              err, sizeof err) == RD_KAFKA_CONF_OK);
    rd_kafka_t* p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(p);
    for (int i = 0; i < 2; ++i) {
      std::string v = "v" + std::to_string(i), h = "trace-" + std::to_string(i);
      REQUIRE(rd_kafka_producev(p, RD_KAFKA_V_TOPIC("h"), RD_KAFKA_V_PARTITION(0),
                                RD_KAFKA_V_VALUE(v.data(), v.size()),
                                RD_KAFKA_V_HEADER("trace", h.data(), h.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    REQUIRE(rd_kafka_flush(p, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);
  }
  for (bool with : {false, true}) {
    CAPTURE(with);
    auto r = env.reader("h");
    REQUIRE_FALSE(r->assign({{"0", 0}}));
    adapters::record_batch b;
    b.with_headers = with;
    std::vector<std::string> traces;
    size_t records = 0;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (records < 2 && std::chrono::steady_clock::now() < deadline) {
      auto n = r->poll(b, 100, 100ms);
      REQUIRE(n);
      for (const auto& rec : b.records) {
        ++records;
        for (uint32_t i = 0; i < rec.headers_count; ++i) {
          const auto& [name, value] = b.headers[rec.headers_begin + i];
          CHECK(name == "trace");
          traces.emplace_back(value);
        }
      }
      CHECK(b.with_headers == with);  // kept across polls
    }
    CHECK(records == 2);
    if (with)
      CHECK(traces == std::vector<std::string>{"trace-0", "trace-1"});
    else
      CHECK(traces.empty());
  }
}

TEST_CASE("a poll returns the records there are without waiting for a full batch") {
  test::kafka_env env;
  REQUIRE_FALSE(env.cluster->create_topic("few", 1));
  env.fill("few", 1, 3);
  auto r = env.reader("few");
  REQUIRE_FALSE(r->assign({{"0", 0}}));
  // A batch of up to 10,000 with a 60 s timeout: the 3 records come back as
  // soon as they are fetched, not when the timeout passes.
  adapters::record_batch b;
  size_t records = 0;
  auto start = std::chrono::steady_clock::now();
  while (records < 3) {
    auto n = r->poll(b, 10000, 60s);
    REQUIRE(n);
    REQUIRE(*n > 0);
    records += *n;
  }
  CHECK(records == 3);
  CHECK(std::chrono::steady_clock::now() - start < 30s);
  // Nothing more: the timeout passes and the poll says so with 0, not an error.
  auto none = r->poll(b, 10000, 50ms);
  REQUIRE(none);
  CHECK(*none == 0);
}
