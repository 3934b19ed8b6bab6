#pragma once
// End-to-end: a real node (embedded Kafka, SQLite, HTTP), events with unique
// ids produced over Kafka, and checks that the published segments hold each
// produced event exactly once.

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/metadata_store.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/event_generator.hpp"
#include "tests/http/node_fixture.hpp"

namespace sv::test {

using namespace std::chrono_literals;

class e2e_fixture : public node_fixture {
 public:
  const int partitions;
  const std::string topic = "events";
  const std::string id = "e2e";

  /// A node (on `metadata_uri`, default SQLite) with a topic of `partitions`.
  explicit e2e_fixture(int partition_count = 8, std::string metadata_uri = {})
      : node_fixture(std::move(metadata_uri)), partitions(partition_count) {
    auto p = adapters::open_kafka_producer(
        {{"bootstrap.servers", core::json{kafka()}}, {"linger.ms", core::json{"5"}}});
    REQUIRE_MESSAGE(p, core::error_message(p.error()));
    producer = std::move(*p);
    auto s = adapters::open_metadata_store(options().metadata_uri);
    REQUIRE_MESSAGE(s, core::error_message(s.error()));
    store = std::move(*s);
    auto created =
        post_json("/streamvisor/v1/kafka/topics",
                  core::json::make_object({{"name", topic}, {"partitions", partitions}}));
    REQUIRE(created.status == 200);
    ids.resize(partitions);
  }

  /// Produces from now on in record batches of at most `messages` events.
  void use_batches_of(int messages) {
    auto p = adapters::open_kafka_producer(
        {{"bootstrap.servers", core::json{kafka()}},
         {"linger.ms", core::json{"5"}},
         {"batch.num.messages", core::json{std::to_string(messages)}}});
    REQUIRE_MESSAGE(p, core::error_message(p.error()));
    producer = std::move(*p);
  }

  /// The supervisor spec: one row per event ("id" is a dimension, no rollup).
  /// `top_extra` adds top-level members (e.g. a context).
  core::json spec(const std::string& io_extra = "", const std::string& tuning_extra = "",
                  const std::string& top_extra = "") {
    auto text = R"({"type":"kafka","id":")" + id + R"(",)" +
                (top_extra.empty() ? "" : top_extra + ",") + R"("spec":{
      "dataSchema":{"dataSource":")" +
                id + R"(",
        "timestampSpec":{"column":"timestamp","format":"iso"},
        "dimensionsSpec":{"dimensions":["id","page","country"]},
        "metricsSpec":[{"type":"count","name":"count"}],
        "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
      "ioConfig":{"topic":")" +
                topic + R"(","inputFormat":{"type":"json"},
        "consumerProperties":{"bootstrap.servers":"embedded","fetch.wait.max.ms":"10"},
        "taskCount":2,"replicas":1,"taskDuration":"PT10S","startDelay":"PT1S","period":"PT2S",
        "useEarliestOffset":true,"completionTimeout":"PT2M")" +
                (io_extra.empty() ? "" : "," + io_extra) + R"(},
      "tuningConfig":{"type":"kafka","offsetFetchPeriod":"PT5S")" +
                (tuning_extra.empty() ? "" : "," + tuning_extra) + "}}}";
    auto j = core::json::parse(text);
    REQUIRE_MESSAGE(j, text);
    return *j;
  }

  std::string sup(const std::string& rest = "") {
    return "/druid/indexer/v1/supervisor/" + id + rest;
  }

  /// Produces `n` events round-robin over the partitions, spread over `over`.
  void produce(int n, std::chrono::milliseconds over = 0ms) {
    const int batches =
        over.count() > 0 ? std::max<int>(1, static_cast<int>(over.count() / 100)) : 1;
    auto start = std::chrono::steady_clock::now();
    std::string e;
    for (int b = 0; b < batches; ++b) {
      int count = n / batches + (b < n % batches ? 1 : 0);
      for (int i = 0; i < count; ++i) {
        e.clear();
        gen.next(e, base + core::millis{static_cast<int64_t>(gen.sequence()) * 10});
        auto p = static_cast<int>(next_partition++ % partitions);
        {
          std::lock_guard<std::mutex> g{mtx};
          ids[static_cast<size_t>(p)].push_back(
              core::json::parse(e)->find("id")->as_string());
        }
        REQUIRE_FALSE(producer->produce(topic, p, {}, e));
      }
      std::this_thread::sleep_until(start + over * (b + 1) / batches);
    }
    REQUIRE_FALSE(producer->flush(60s));
  }

  /// Produces in the background (join with the returned thread).
  std::thread produce_async(int n, std::chrono::milliseconds over) {
    return std::thread{[this, n, over] { produce(n, over); }};
  }

  core::offset_map produced_end() {
    std::lock_guard<std::mutex> g{mtx};
    core::offset_map m;
    for (int p = 0; p < partitions; ++p)
      m[std::to_string(p)] = static_cast<int64_t>(ids[static_cast<size_t>(p)].size());
    return m;
  }

  /// The offsets row of a supervisor (retried while the store is unavailable).
  core::offset_map committed(const std::string& sup_id = "") {
    for (int attempt = 0;; ++attempt) {
      auto row = store->committed_offsets(sup_id.empty() ? id : sup_id);
      if (row) return row->has_value() ? (*row)->offsets : core::offset_map{};
      REQUIRE_MESSAGE(attempt < 50, core::error_message(row.error()));
      std::this_thread::sleep_for(100ms);
    }
  }

  /// Waits until the offsets row reached everything produced.
  void wait_caught_up(std::chrono::seconds timeout = 120s) {
    auto end = produced_end();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (committed() != end) {
      if (std::chrono::steady_clock::now() > deadline) {
        FAIL("not caught up: committed " << core::to_json(committed()).dump()
                                         << " produced " << core::to_json(end).dump());
      }
      std::this_thread::sleep_for(250ms);
    }
  }

  core::json status(const std::string& sup_id = "") {
    auto r =
        get("/druid/indexer/v1/supervisor/" + (sup_id.empty() ? id : sup_id) + "/status");
    REQUIRE(r.status == 200);
    return *r.json().find("payload");
  }

  /// Waits for a detailed state, and (optionally) no tasks at all.
  void wait_state(const std::string& state, bool no_tasks = false,
                  std::chrono::seconds timeout = 60s, const std::string& sup_id = "",
                  std::chrono::milliseconds poll = 200ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto s = status(sup_id);
      bool tasks_done = !no_tasks || (s.find("activeTasks")->as_array().empty() &&
                                      s.find("publishingTasks")->as_array().empty());
      if (s.find("detailedState")->as_string() == state && tasks_done) return;
      if (std::chrono::steady_clock::now() > deadline)
        FAIL("state " << s.find("detailedState")->as_string() << ", wanted " << state
                      << "; status " << s.dump());
      std::this_thread::sleep_for(poll);
    }
  }

  /// Every id in the published segments, with its count.
  std::map<std::string, int> published() {
    std::map<std::string, int> out;
    auto segs = store->segments(id, true);  // the datasource is named like the supervisor
    REQUIRE(segs);
    for (const auto& s : *segs) {
      auto data = adapters::read_segment(s.path);
      REQUIRE_MESSAGE(data, core::error_message(data.error()));
      for (size_t r = 0; r < data->rows(); ++r)
        ++out[data->row_json(r).find("id")->as_string()];
    }
    return out;
  }

  /// Checks the segments hold exactly the produced events minus `skipped`
  /// (partition -> [from, to) offset ranges), each once.
  void check_exactly_once(
      const std::map<int, std::pair<int64_t, int64_t>>& skipped = {}) {
    auto got = published();
    size_t expected = 0, missing = 0, duplicated = 0, unexpected = 0;
    std::string example;
    std::set<std::string> wanted;
    std::lock_guard<std::mutex> g{mtx};
    for (int p = 0; p < partitions; ++p) {
      const auto& list = ids[static_cast<size_t>(p)];
      for (size_t o = 0; o < list.size(); ++o) {
        if (auto s = skipped.find(p); s != skipped.end() &&
                                      static_cast<int64_t>(o) >= s->second.first &&
                                      static_cast<int64_t>(o) < s->second.second)
          continue;
        wanted.insert(list[o]);
        ++expected;
        auto i = got.find(list[o]);
        if (i == got.end()) {
          ++missing;
          if (example.empty()) example = "missing " + list[o];
        } else if (i->second > 1) {
          ++duplicated;
          if (example.empty()) example = "duplicated " + list[o];
        }
      }
    }
    for (const auto& [k, _] : got)
      if (!wanted.count(k)) ++unexpected;
    INFO("expected " << expected << ", published " << got.size() << "; " << example);
    CHECK(missing == 0);
    CHECK(duplicated == 0);
    CHECK(unexpected == 0);
    CHECK(got.size() == expected);
  }

  int64_t tasks_with_status(const std::string& status) {
    core::task_filter f;
    f.supervisor_id = id;
    f.status = status;
    auto rows = store->tasks(f);
    REQUIRE(rows);
    return static_cast<int64_t>(rows->size());
  }

  /// Polls until at least `n` tasks have `status` (or `timeout`); the count.
  int64_t wait_tasks_with_status(const std::string& status, int64_t n,
                                 std::chrono::seconds timeout = 30s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int64_t got = 0;
    while ((got = tasks_with_status(status)) < n &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(100ms);
    return got;
  }

  std::unique_ptr<adapters::kafka_producer> producer;
  std::unique_ptr<adapters::metadata_store> store;
  std::mutex mtx;
  std::vector<std::vector<std::string>> ids;  ///< per partition, in offset order
  core::event_generator gen{"e2e", 11};
  core::utc_time base = *core::parse_utc_time("2026-01-01T10:00:00Z");
  uint64_t next_partition = 0;
};

}  // namespace sv::test
