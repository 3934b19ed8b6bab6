// What Druid's web console (and Druid users' scripts) read from an Overlord,
// on a real node with tasks that ran: the console's mode probes, node status,
// workers and capacity, task lists with durations, locations and filters,
// and task logs.

#include <doctest/doctest.h>

#include "tests/e2e/e2e_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::json;

namespace {

std::string address(test::e2e_fixture& f) {
  return "127.0.0.1:" + std::to_string(f.port());
}

}  // namespace

TEST_CASE_FIXTURE(test::e2e_fixture,
                  "Druid's console finds an Overlord: the probes answer as Druid's do") {
  // The console's SQL probe and native queries: not here (404), so the
  // console asks /status... (SQL itself answers: sys.* tables.)
  CHECK(post_json("/druid/v2/sql?capabilities",
                  json::make_object({{"query", "SELECT 1337"}}))
            .status == 404);
  auto status = get("/status");
  REQUIRE(status.status == 200);
  auto s = status.json();
  CHECK_FALSE(s.find("version")->as_string().empty());
  REQUIRE(s.find("modules")->as_array().size() >= 1);
  CHECK(s.find("modules")->as_array()[0].find("artifact")->as_string() ==
        "druid-kafka-indexing-service");
  CHECK(s.find("memory")->find("usedMemory")->as_int() > 0);
  CHECK(s.find("memory")->find("maxMemory")->as_int() >=
        s.find("memory")->find("usedMemory")->as_int());
  CHECK(post_json("/druid/v2", json::make_object({{"queryType", "dataSourceMetadata"}}))
            .status == 404);
  // ...and then which process this is: an Overlord, not a Coordinator.
  auto leader = get("/druid/indexer/v1/isLeader");
  CHECK(leader.status == 200);
  CHECK(leader.json().find("leader")->as_bool());
  CHECK(get("/druid/coordinator/v1/isLeader").status == 404);
  auto url = get("/druid/indexer/v1/leader");
  CHECK(url.status == 200);
  CHECK(url.body == "http://" + address(*this));
  auto props = get("/status/properties").json();
  auto workers = get("/druid/indexer/v1/workers").json();
  auto capacity = workers.as_array().at(0).find("worker")->find("capacity")->as_int();
  CHECK(props.find("druid.worker.capacity")->as_string() == std::to_string(capacity));
  CHECK(get("/status/health").body == "true");
}

TEST_CASE_FIXTURE(test::e2e_fixture,
                  "tasks as Druid lists them: durations, locations, per-state lists, "
                  "type and createdTimeInterval filters, workers, logs") {
  auto before = core::format_utc_time(core::utc_now() - std::chrono::seconds{1});
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(R"("taskDuration":"PT3S")"))
              .status == 200);
  wait_state("RUNNING");
  produce(2000);
  // A task that finished, and tasks running now.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  json complete;
  while ((complete = get("/druid/indexer/v1/completeTasks").json()).as_array().empty()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(200ms);
  }
  auto done = complete.as_array()[0];
  CHECK(done.find("status")->as_string() == "SUCCESS");
  CHECK(done.find("duration")->as_int() >= 3000);  // it ran its taskDuration
  CHECK(done.find("location")->find("host")->as_string() == "127.0.0.1");
  CHECK(done.find("location")->find("port")->as_int() == port());
  CHECK(done.find("type")->as_string() == "index_kafka");
  auto id = done.find("id")->as_string();

  json::array running;
  while ((running = get("/druid/indexer/v1/runningTasks").json().as_array()).empty()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  CHECK(running[0].find("duration")->as_int() == -1);
  CHECK(running[0].find("location")->find("port")->as_int() == port());
  CHECK(get("/druid/indexer/v1/waitingTasks").json().as_array().empty());
  CHECK(get("/druid/indexer/v1/pendingTasks").json().as_array().empty());
  auto workers = get("/druid/indexer/v1/workers").json().as_array();
  REQUIRE(workers.size() == 1);
  CHECK(workers[0].find("worker")->find("host")->as_string() == address(*this));
  CHECK(workers[0].find("currCapacityUsed")->as_int() ==
        static_cast<int64_t>(workers[0].find("runningTasks")->as_array().size()));
  CHECK_FALSE(workers[0].find("lastCompletedTaskTime")->is_null());
  auto capacity = get("/druid/indexer/v1/totalWorkerCapacity").json();
  CHECK(capacity.find("currentClusterCapacity")->as_int() ==
        workers[0].find("worker")->find("capacity")->as_int());

  // Filters: type, and createdTimeInterval (Druid's "_" form and the "/" form).
  auto now = core::format_utc_time(core::utc_now() + std::chrono::seconds{1});
  auto all = get("/druid/indexer/v1/tasks").json().as_array().size();
  CHECK(get("/druid/indexer/v1/tasks?type=index_kafka").json().as_array().size() == all);
  CHECK(get("/druid/indexer/v1/tasks?type=index_parallel").json().as_array().empty());
  CHECK(get("/druid/indexer/v1/tasks?createdTimeInterval=" + before + "_" + now)
            .json()
            .as_array()
            .size() == all);
  CHECK(get("/druid/indexer/v1/tasks?state=complete&createdTimeInterval=2020-01-01/"
            "2020-01-02")
            .json()
            .as_array()
            .empty());
  CHECK(get("/druid/indexer/v1/tasks?createdTimeInterval=yesterday").status == 400);

  // The finished task's own log: what it read and published, from the start
  // or its last bytes.
  auto log = get("/druid/indexer/v1/task/" + id + "/log");
  REQUIRE(log.status == 200);
  CHECK(log.body.find("started: group") != std::string::npos);
  CHECK(log.body.find("published") != std::string::npos);
  CHECK(log.body.find("finished: SUCCESS") != std::string::npos);
  auto tail = get("/druid/indexer/v1/task/" + id + "/log?offset=-20");
  CHECK(tail.body.size() == 20);
  CHECK(log.body.substr(log.body.size() - 20) == tail.body);
  CHECK(get("/druid/indexer/v1/task/" + id + "/log?offset=10").body ==
        log.body.substr(10));
  CHECK(get("/druid/indexer/v1/task/no_such_task/log").status == 404);
  CHECK(get("/druid/indexer/v1/task/..%2F..%2Fmetadata.db/log").status == 404);
  wait_caught_up();
  check_exactly_once();

  // The same through SQL on the system tables.
  auto sql = [&](const std::string& query, json params = json{json::array{}}) {
    auto r = post_json("/druid/v2/sql",
                       json::make_object({{"query", query}, {"parameters", params}}));
    REQUIRE_MESSAGE(r.status == 200, query << ": " << r.body);
    return r.json().as_array();
  };
  auto param = [](json v) {
    return json{json::array{json::make_object({{"type", "VARCHAR"}, {"value", v}})}};
  };
  auto task = sql(
      "SELECT task_id, status, runner_status, duration, host, plaintext_port, datasource "
      "FROM sys.tasks WHERE task_id = ?",
      param(json{id}));
  REQUIRE(task.size() == 1);
  CHECK(task[0].find("status")->as_string() == "SUCCESS");
  CHECK(task[0].find("runner_status")->as_string() == "NONE");
  CHECK(task[0].find("duration")->as_int() >= 3000);
  CHECK(task[0].find("host")->as_string() == "127.0.0.1");
  CHECK(task[0].find("plaintext_port")->as_int() == port());
  CHECK(task[0].find("datasource")->as_string() == this->id);
  auto published =
      get("/druid/coordinator/v1/metadata/datasources/" + this->id + "/segments")
          .json()
          .as_array()
          .size();
  auto segs = sql(
      "SELECT COUNT(*) AS n, SUM(num_rows) AS total_rows, MIN(is_published) AS published "
      "FROM sys.segments WHERE datasource = ?",
      param(json{this->id}));
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].find("n")->as_int() == static_cast<int64_t>(published));
  CHECK(segs[0].find("total_rows")->as_int() > 0);
  CHECK(segs[0].find("published")->as_int() == 1);
  CHECK(sql("SELECT * FROM sys.supervisors WHERE healthy=0").empty());
  auto healthy =
      sql("SELECT supervisor_id, state, type, source FROM sys.supervisors "
          "WHERE healthy=1");
  REQUIRE(healthy.size() == 1);
  CHECK(healthy[0].find("supervisor_id")->as_string() == this->id);
  CHECK(healthy[0].find("state")->as_string() == "RUNNING");
  CHECK(healthy[0].find("type")->as_string() == "kafka");
  // Druid's SQL error shape.
  auto bad = post_json("/druid/v2/sql",
                       json::make_object({{"query", "SELECT nope FROM sys.tasks"}}));
  CHECK(bad.status == 400);
  CHECK(bad.json().find("error")->as_string() == "druidException");
  CHECK(bad.json().find("category")->as_string() == "INVALID_INPUT");
  CHECK(bad.json().find("errorMessage")->as_string().find("nope") != std::string::npos);
}
