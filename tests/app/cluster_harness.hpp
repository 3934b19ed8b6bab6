#pragma once
// What the cluster's process tests share: a database of their own on the
// run's PostgreSQL, kafka-dev as its own process, nodes started as real
// `streamvisor serve` processes, unique events with their ids kept per
// partition, and the exactly-once check over the published segments.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <httplib.h>
#include <libpq-fe.h>

#include <doctest/doctest.h>

#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/metadata_store.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/errc.hpp"
#include "core/event_generator.hpp"
#include "tests/app/child_process.hpp"

namespace sv::test::cluster {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

inline std::string pg_base() {
  const char* v = std::getenv("STREAMVISOR_TEST_PG");
  REQUIRE_MESSAGE(v != nullptr, "STREAMVISOR_TEST_PG is not set: run scripts/test");
  return v;
}

inline void pg_admin(const std::string& sql) {
  PGconn* c = PQconnectdb(pg_base().c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PGresult* r = PQexec(c, sql.c_str());
  auto ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string err = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE(ok, err);
}

/// The initial admin's password of every test cluster.
inline std::string admin_password() {
  return "cluster-admin-" + std::to_string(::getpid());
}

/// One `streamvisor serve` process; its output in DIR/serve.log.
struct node {
  std::string name;
  std::filesystem::path dir;
  std::unique_ptr<child> proc;
  int port = 0;

  void start(const std::vector<std::string>& args) {
    std::filesystem::create_directories(dir);
    auto log = (dir / "serve.log").string();
    std::vector<std::string> argv{SV_BINARY,    "serve",    "--data-dir",
                                  dir.string(), "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    proc = std::make_unique<child>(argv, log);
    port = serving_port(log, 60s);
    if (port == 0) FAIL("node " << name << " did not start: " << log);
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port); }

  /// A client signed in as the cluster's admin (a cluster requires
  /// authentication).
  httplib::Client api() const {
    httplib::Client c{"127.0.0.1", port};
    c.set_basic_auth("admin", admin_password());
    c.set_read_timeout(30, 0);
    c.set_connection_timeout(2, 0);
    return c;
  }

  bool leads() const {
    auto r = api().Get("/druid/indexer/v1/isLeader");
    return r && r->status == 200;
  }

  void kill9() {
    ::kill(proc->pid, SIGKILL);
    proc->wait();
  }

  std::string log() const {
    std::ifstream in{dir / "serve.log"};
    return {std::istreambuf_iterator<char>{in}, {}};
  }

  /// Polls this node's log for `text` until `limit`.
  bool log_shows(const std::string& text, std::chrono::seconds limit) const {
    auto deadline = clock_type::now() + limit;
    while (log().find(text) == std::string::npos) {
      if (clock_type::now() >= deadline) return false;
      std::this_thread::sleep_for(100ms);
    }
    return true;
  }
};

/// Every node's log, each under a "---- name" line (for INFO on failure).
inline std::string logs_of(const std::vector<const std::vector<node>*>& groups) {
  std::string out;
  for (const auto* group : groups)
    for (const auto& n : *group) out += "---- " + n.name + "\n" + n.log();
  return out;
}

/// A database named PREFIX_<pid>, a directory of the same name, and
/// kafka-dev with the topic `events`; all removed at the end.
struct environment {
  std::string db;
  std::string metadata;
  std::filesystem::path root;
  std::unique_ptr<child> kafka_dev;
  std::string kafka;
  int control_port = 0;
  std::vector<std::string> common;  ///< every node's options

  environment(const std::string& prefix, int partitions) {
    db = prefix + "_" + std::to_string(::getpid());
    pg_admin("DROP DATABASE IF EXISTS " + db);
    pg_admin("CREATE DATABASE " + db);
    metadata = "postgres:" + pg_base() + " dbname=" + db;
    root = std::filesystem::temp_directory_path() / db;
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
    kafka_dev = std::make_unique<child>(std::vector<std::string>{
        SV_BINARY, "kafka-dev", "--topic", "events:" + std::to_string(partitions),
        "--bootstrap-file", (root / "kafka.bootstrap").string()});
    auto first = kafka_dev->line();
    REQUIRE(first.rfind("bootstrap: ", 0) == 0);
    kafka = first.substr(11);
    auto second = kafka_dev->line();
    auto colon = second.rfind(':');
    REQUIRE(second.rfind("control: ", 0) == 0);
    control_port = std::stoi(second.substr(colon + 1));
    auto password_file = (root / "admin.password").string();
    std::ofstream{password_file} << admin_password() << "\n";
    common = {"--auth-admin-password-file",
              password_file,
              "--metadata",
              metadata,
              "--kafka",
              kafka,
              "--cluster-name",
              "test",
              "--heartbeat-interval",
              "500",
              "--heartbeat-timeout",
              "2000",
              "--deep-storage",
              (root / "deep-storage").string()};
  }

  ~environment() {
    kafka_dev.reset();
    std::filesystem::remove_all(root);
    PGconn* c = PQconnectdb(pg_base().c_str());
    PQclear(PQexec(c, ("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)").c_str()));
    PQfinish(c);
  }

  /// `args` followed by every node's options.
  std::vector<std::string> with(std::vector<std::string> args) const {
    args.insert(args.end(), common.begin(), common.end());
    return args;
  }

  node start(const std::string& name, const std::vector<std::string>& args) const {
    node n;
    n.name = name;
    n.dir = root / name;
    n.start(with(args));
    return n;
  }

  /// Sets the round-trip time of kafka-dev's brokers.
  void broker_rtt(int ms) const {
    httplib::Client c{"127.0.0.1", control_port};
    auto r = c.Post("/brokers/all/rtt", "{\"ms\":" + std::to_string(ms) + "}",
                    "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
};

/// A Kafka supervisor spec on topic `events` (taskCount 2, hour-long tasks);
/// `io_extra` is added to its ioConfig, `top_extra` to the top level (a
/// context), `consumer_extra` to its consumerProperties.
inline std::string spec(const std::string& datasource, const std::string& kafka,
                        const std::string& io_extra = "\"useEarliestOffset\":true",
                        const std::string& top_extra = "",
                        const std::string& consumer_extra = "") {
  return R"({"type":"kafka",)" + (top_extra.empty() ? "" : top_extra + ",") +
         R"("spec":{
    "dataSchema":{"dataSource":")" +
         datasource + R"(",
      "timestampSpec":{"column":"timestamp","format":"iso"},
      "dimensionsSpec":{"dimensions":["id","page"]},
      "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
    "ioConfig":{"topic":"events","inputFormat":{"type":"json"},
      "consumerProperties":{"bootstrap.servers":")" +
         kafka + R"(","fetch.wait.max.ms":"10")" +
         (consumer_extra.empty() ? "" : "," + consumer_extra) + R"(},
      "taskCount":2,"taskDuration":"PT1H","startDelay":"PT1S","period":"PT1S",)" +
         io_extra + R"(},
    "tuningConfig":{"type":"kafka"}}})";
}

/// Unique events produced to `events`, their ids kept per partition.
struct events {
  int partitions;
  std::vector<std::vector<std::string>> ids;
  std::unique_ptr<adapters::kafka_producer> producer;
  core::event_generator gen;
  core::utc_time base = *core::parse_utc_time("2026-01-01T10:00:00Z");

  events(const std::string& kafka, int parts, const std::string& seed_name)
      : partitions(parts), ids(static_cast<size_t>(parts)), gen(seed_name, 11) {
    auto p = adapters::open_kafka_producer(
        {{"bootstrap.servers", core::json{kafka}}, {"linger.ms", core::json{"5"}}});
    REQUIRE(p);
    producer = std::move(*p);
  }

  void produce(int n) {
    std::string e;
    for (int i = 0; i < n; ++i) {
      e.clear();
      gen.next(e, base + core::millis{static_cast<int64_t>(gen.sequence()) * 10});
      auto p = static_cast<int>(gen.sequence() % static_cast<uint64_t>(partitions));
      auto doc = core::json::parse(e);
      REQUIRE(doc);
      ids[static_cast<size_t>(p)].push_back(doc->find("id")->as_string());
      REQUIRE_FALSE(producer->produce("events", p, {}, e));
    }
    REQUIRE_FALSE(producer->flush(30s));
  }

  int64_t total() const {
    int64_t n = 0;
    for (const auto& p : ids) n += static_cast<int64_t>(p.size());
    return n;
  }

  /// Per partition, the offset after the last event produced.
  core::offset_map end_offsets() const {
    core::offset_map out;
    for (int p = 0; p < partitions; ++p)
      out[std::to_string(p)] = static_cast<int64_t>(ids[static_cast<size_t>(p)].size());
    return out;
  }
};

/// The ids of `supervisor`'s active tasks (in `at`'s status) that have read
/// something.
inline std::set<std::string> reading_tasks(const node& at,
                                           const std::string& supervisor) {
  std::set<std::string> out;
  auto r = at.api().Get("/druid/indexer/v1/supervisor/" + supervisor + "/status");
  if (!r || r->status != 200) return out;
  auto doc = core::json::parse(r->body);
  REQUIRE(doc);
  const auto* payload = doc->find("payload");
  REQUIRE(payload);
  for (const auto& t : payload->find("activeTasks")->as_array()) {
    int64_t read = 0;
    if (auto c = t.find("currentOffsets"); c && c->is_object())
      for (const auto& [_, o] : c->as_object()) read += o.as_int();
    if (read > 0) out.insert(t.find("id")->as_string());
  }
  return out;
}

/// `supervisor`'s detailedState in `at`'s status ("" when it has none).
inline std::string detailed_state(const node& at, const std::string& supervisor) {
  auto r = at.api().Get("/druid/indexer/v1/supervisor/" + supervisor + "/status");
  if (!r || r->status != 200) return {};
  auto doc = core::json::parse(r->body);
  REQUIRE(doc);
  return doc->find("payload")->find("detailedState")->as_string();
}

/// The ids of `supervisor`'s active tasks in `at`'s status.
inline std::set<std::string> active_tasks(const node& at, const std::string& supervisor) {
  std::set<std::string> out;
  auto r = at.api().Get("/druid/indexer/v1/supervisor/" + supervisor + "/status");
  if (!r || r->status != 200) return out;
  auto doc = core::json::parse(r->body);
  REQUIRE(doc);
  for (const auto& t : doc->find("payload")->find("activeTasks")->as_array())
    out.insert(t.find("id")->as_string());
  return out;
}

/// Ids of the tasks holding a time-chunk lock in `at`'s lockbox.
inline std::set<std::string> lock_holders(const node& at) {
  std::set<std::string> out;
  auto r = at.api().Get("/druid/indexer/v1/locks");
  if (!r || r->status != 200) return out;
  auto doc = core::json::parse(r->body);
  REQUIRE(doc);
  for (const auto& l : doc->find("locks")->as_array())
    for (const auto& t : l.find("taskIds")->as_array()) out.insert(t.as_string());
  return out;
}

/// Asks `at` to hand off (publish) every task group of `supervisor` (0..groups-1).
inline void handoff(const node& at, const std::string& supervisor, int groups = 2) {
  std::string ids;
  for (int g = 0; g < groups; ++g) ids += (g ? "," : "") + std::to_string(g);
  at.api().Post("/druid/indexer/v1/supervisor/" + supervisor + "/taskGroups/handoff",
                "{\"taskGroupIds\":[" + ids + "]}", "application/json");
}

/// The sum of `supervisor`'s committed offsets (0 before its first publish).
inline int64_t committed_sum(adapters::metadata_store& store,
                             const std::string& supervisor) {
  auto row = store.committed_offsets(supervisor);
  if (!row || !row->has_value()) return 0;
  int64_t sum = 0;
  for (const auto& [_, o] : (*row)->offsets) sum += o.value();
  return sum;
}

/// Every produced id is in `datasource`'s published segments exactly once,
/// and nothing else is.
inline void check_exactly_once(adapters::metadata_store& store,
                               const std::string& datasource, const events& ev) {
  std::map<std::string, int> seen;
  auto segs = store.segments(datasource, true);
  REQUIRE(segs);
  for (const auto& s : *segs) {
    auto data = adapters::read_segment(s.path);
    REQUIRE_MESSAGE(data, s.path);
    for (size_t r = 0; r < data->rows(); ++r)
      ++seen[data->row_json(r).find("id")->as_string()];
  }
  size_t missing = 0, twice = 0;
  for (const auto& part : ev.ids)
    for (const auto& id : part) {
      auto i = seen.find(id);
      missing += i == seen.end();
      twice += i != seen.end() && i->second > 1;
    }
  CHECK(missing == 0);
  CHECK(twice == 0);
  CHECK(seen.size() == static_cast<size_t>(ev.total()));
}

}  // namespace sv::test::cluster
