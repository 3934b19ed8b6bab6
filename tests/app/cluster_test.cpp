// A cluster of real processes on one PostgreSQL: kafka-dev, two overlords and
// two workers. Exactly one overlord leads and the other redirects; kill -9 of
// the leader hands leadership to the other within seconds and ingestion goes
// on with the same tasks, adopted by the new leader; kill -9 of a worker moves its groups
// to the other worker from the committed offsets. Every produced event id is read back
// from the published segments exactly once.

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

using namespace sv;
using namespace std::chrono_literals;

namespace {

constexpr int partitions = 4;
using clock_type = std::chrono::steady_clock;

std::string pg_base() {
  const char* v = std::getenv("STREAMVISOR_TEST_PG");
  REQUIRE_MESSAGE(v != nullptr, "STREAMVISOR_TEST_PG is not set: run scripts/test");
  return v;
}

void pg_admin(const std::string& sql) {
  PGconn* c = PQconnectdb(pg_base().c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PGresult* r = PQexec(c, sql.c_str());
  auto ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string err = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE(ok, err);
}

struct node {
  std::string name;
  std::filesystem::path dir;
  std::unique_ptr<test::child> proc;
  int port = 0;

  void start(const std::vector<std::string>& args) {
    std::filesystem::create_directories(dir);
    auto log = (dir / "serve.log").string();
    std::vector<std::string> argv{SV_BINARY,    "serve",    "--data-dir",
                                  dir.string(), "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    proc = std::make_unique<test::child>(argv, log);
    auto deadline = clock_type::now() + 60s;
    while (clock_type::now() < deadline) {
      std::ifstream in{log};
      std::string line;
      while (std::getline(in, line)) {
        auto at = line.find("is serving http://127.0.0.1:");
        if (at != std::string::npos) {
          port = std::stoi(line.substr(at + 28));
          return;
        }
      }
      std::this_thread::sleep_for(50ms);
    }
    FAIL("node " << name << " did not start: " << log);
  }

  httplib::Client api() const {
    httplib::Client c{"127.0.0.1", port};
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
};

std::string spec(const std::string& kafka) {
  return R"({"type":"kafka","spec":{
    "dataSchema":{"dataSource":"cl",
      "timestampSpec":{"column":"timestamp","format":"iso"},
      "dimensionsSpec":{"dimensions":["id","page"]},
      "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
    "ioConfig":{"topic":"events","inputFormat":{"type":"json"},
      "consumerProperties":{"bootstrap.servers":")" +
         kafka + R"(","fetch.wait.max.ms":"10"},
      "taskCount":2,"taskDuration":"PT1H","startDelay":"PT1S","period":"PT1S",
      "useEarliestOffset":true},
    "tuningConfig":{"type":"kafka"}}})";
}

}  // namespace

TEST_CASE(
    "cluster: one leader, redirects; leader kill -9, leader SIGSTOP and worker kill -9 "
    "while events flow; tasks adopted, every event published exactly once") {
  auto db = "sv_cluster_" + std::to_string(::getpid());
  pg_admin("DROP DATABASE IF EXISTS " + db);
  pg_admin("CREATE DATABASE " + db);
  auto metadata = "postgres:" + pg_base() + " dbname=" + db;
  auto root = std::filesystem::temp_directory_path() / db;
  std::filesystem::remove_all(root);

  test::child dev{{SV_BINARY, "kafka-dev", "--topic",
                   "events:" + std::to_string(partitions), "--bootstrap-file",
                   (root / "kafka.bootstrap").string()}};
  auto first = dev.line();
  REQUIRE(first.rfind("bootstrap: ", 0) == 0);
  auto kafka = first.substr(11);
  std::vector<std::string> common{"--metadata",
                                  metadata,
                                  "--kafka",
                                  kafka,
                                  "--cluster-name",
                                  "test",
                                  "--heartbeat-interval",
                                  "500",
                                  "--heartbeat-timeout",
                                  "2000"};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  std::vector<node> overlords(2), workers(2);
  for (int i = 0; i < 2; ++i) {
    overlords[i].name = "overlord" + std::to_string(i);
    overlords[i].dir = root / overlords[i].name;
    overlords[i].start(with({"--role", "overlord"}));
    workers[i].name = "worker" + std::to_string(i);
    workers[i].dir = root / workers[i].name;
    workers[i].start(with({"--role", "worker", "--worker-capacity", "4"}));
  }
  auto log_all = [&] {
    std::string out;
    for (auto* group : {&overlords, &workers})
      for (auto& n : *group) out += "---- " + n.name + "\n" + n.log();
    return out;
  };
  INFO(log_all());

  // Exactly one leader; the other redirects its API there.
  auto leader_index = [&]() -> int {
    auto deadline = clock_type::now() + 30s;
    while (clock_type::now() < deadline) {
      int found = -1, count = 0;
      for (int i = 0; i < 2; ++i)
        if (overlords[i].proc && overlords[i].leads()) found = i, ++count;
      if (count == 1) return found;
      REQUIRE(count <= 1);
      std::this_thread::sleep_for(100ms);
    }
    FAIL("no overlord leads");
    return -1;
  };
  int leader = leader_index();
  int standby = 1 - leader;
  auto redirected = overlords[standby].api().Get("/druid/indexer/v1/supervisor");
  REQUIRE(redirected);
  CHECK(redirected->status == 307);
  CHECK(redirected->get_header_value("Location") ==
        "http://127.0.0.1:" + std::to_string(overlords[leader].port) +
            "/druid/indexer/v1/supervisor");
  auto said = overlords[standby].api().Get("/druid/indexer/v1/leader");
  REQUIRE(said);
  CHECK(said->body == "http://127.0.0.1:" + std::to_string(overlords[leader].port));
  // Both workers are registered with the leader.
  auto deadline = clock_type::now() + 20s;
  while (true) {
    auto w = overlords[leader].api().Get("/druid/indexer/v1/workers");
    REQUIRE(w);
    if (w->status == 200 && core::json::parse(w->body)->as_array().size() == 2) break;
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }

  auto created = overlords[leader].api().Post("/druid/indexer/v1/supervisor", spec(kafka),
                                              "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 200);

  auto producer = adapters::open_kafka_producer(
      {{"bootstrap.servers", core::json{kafka}}, {"linger.ms", core::json{"5"}}});
  REQUIRE(producer);
  std::vector<std::vector<std::string>> ids(partitions);
  core::event_generator gen{"cluster", 11};
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
  auto store = adapters::open_metadata_store(metadata);
  REQUIRE(store);
  auto committed = [&]() -> int64_t {
    auto row = (*store)->committed_offsets("cl");
    if (!row || !row->has_value()) return 0;
    int64_t sum = 0;
    for (const auto& [_, o] : (*row)->offsets) sum += o;
    return sum;
  };

  // The running tasks (of the leader's status) once both read.
  auto reading_tasks = [&](int at) {
    std::set<std::string> out;
    auto r = overlords[at].api().Get("/druid/indexer/v1/supervisor/cl/status");
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
  };
  auto handoff = [&](int at) {
    overlords[at].api().Post("/druid/indexer/v1/supervisor/cl/taskGroups/handoff",
                             R"({"taskGroupIds":[0,1]})", "application/json");
  };

  // Ingesting on the workers (taskDuration is an hour: nothing rolls over).
  produce(4000);
  std::set<std::string> before;
  deadline = clock_type::now() + 60s;
  while ((before = reading_tasks(leader)).size() < 2) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }

  // The leader dies while events flow; the standby leads within seconds and
  // adopts the running tasks: the same ids, none restarted.
  produce(2000);
  auto killed = clock_type::now();
  overlords[leader].kill9();
  overlords[leader].proc.reset();
  leader = leader_index();
  CHECK(leader == standby);
  auto led = std::chrono::duration<double>(clock_type::now() - killed);
  std::set<std::string> after;
  deadline = clock_type::now() + 20s;
  while ((after = reading_tasks(leader)) != before && clock_type::now() < deadline)
    std::this_thread::sleep_for(50ms);
  auto adopted = std::chrono::duration<double>(clock_type::now() - killed);
  CHECK(after == before);
  MESSAGE("after the leader's kill -9 the standby led in "
          << led.count() << " s and showed the same running tasks after "
          << adopted.count() << " s");
  CHECK(led < 10s);
  produce(2000);
  // They are the new leader's now: a handoff publishes what they read.
  deadline = clock_type::now() + 60s;
  while (committed() == 0) {
    REQUIRE(clock_type::now() < deadline);
    handoff(leader);
    std::this_thread::sleep_for(500ms);
  }
  {
    core::task_filter f;
    f.supervisor_id = "cl";
    auto rows = (*store)->tasks(f);
    REQUIRE(rows);
    for (const auto& t : *rows)
      if (before.count(t.id)) CHECK_MESSAGE(t.status != "FAILED", t.id);
  }

  // The old leader comes back as the standby; the leader is paused (SIGSTOP
  // keeps its sockets open: only its missing heartbeats tell). The standby
  // ends its lock session and leads; woken up, the paused one steps down.
  int paused = leader;
  standby = 1 - leader;
  overlords[standby].start(with({"--role", "overlord"}));
  deadline = clock_type::now() + 30s;
  while ((before = reading_tasks(paused)).size() < 2) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  ::kill(overlords[paused].proc->pid, SIGSTOP);
  auto stopped = clock_type::now();
  produce(1000);
  deadline = clock_type::now() + 30s;
  while (!overlords[standby].leads()) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(50ms);
  }
  auto took_over = std::chrono::duration<double>(clock_type::now() - stopped);
  deadline = clock_type::now() + 20s;
  while ((after = reading_tasks(standby)) != before && clock_type::now() < deadline)
    std::this_thread::sleep_for(50ms);
  CHECK(after == before);
  MESSAGE("with the leader paused, the standby led after "
          << took_over.count() << " s (heartbeat timeout 2 s)");
  ::kill(overlords[paused].proc->pid, SIGCONT);
  deadline = clock_type::now() + 20s;
  while (overlords[paused].log().find("no longer leads") == std::string::npos) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  CHECK_FALSE(overlords[paused].leads());
  CHECK(overlords[standby].leads());
  leader = standby;
  produce(1000);

  // A worker dies while events flow; its groups go on on the other one.
  before = {};
  deadline = clock_type::now() + 60s;
  while ((before = reading_tasks(leader)).size() < 2) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  produce(2000);
  workers[0].kill9();
  produce(2000);

  core::offset_map produced_end;
  int64_t total = 0;
  for (int p = 0; p < partitions; ++p) {
    produced_end[std::to_string(p)] =
        static_cast<int64_t>(ids[static_cast<size_t>(p)].size());
    total += produced_end[std::to_string(p)];
  }
  deadline = clock_type::now() + 120s;
  while (committed() != total) {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "committed " << committed() << " of " << total);
    handoff(leader);
    std::this_thread::sleep_for(1s);
  }
  auto row = (*store)->committed_offsets("cl");
  REQUIRE(row);
  CHECK((*row)->offsets == produced_end);

  std::map<std::string, int> seen;
  auto segs = (*store)->segments("cl", true);
  REQUIRE(segs);
  for (const auto& s : *segs) {
    auto data = adapters::read_segment(s.path);
    REQUIRE_MESSAGE(data, s.path);
    for (size_t r = 0; r < data->rows(); ++r)
      ++seen[data->row_json(r).find("id")->as_string()];
  }
  size_t missing = 0, twice = 0;
  for (const auto& part : ids)
    for (const auto& id : part) {
      auto i = seen.find(id);
      missing += i == seen.end();
      twice += i != seen.end() && i->second > 1;
    }
  CHECK(missing == 0);
  CHECK(twice == 0);
  CHECK(seen.size() == static_cast<size_t>(total));

  for (auto* group : {&overlords, &workers})
    for (auto& n : *group)
      if (n.proc) n.proc->stop();
  std::filesystem::remove_all(root);
  store->reset();
  pg_admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
}
