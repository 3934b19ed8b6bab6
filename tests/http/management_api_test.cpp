// Supervisor management and task endpoints over HTTP: reset, resetOffsets,
// taskGroups/handoff, stats, parseErrors, and Druid's task API, with their
// status codes and error bodies.

#include <doctest/doctest.h>

#include "tests/http/node_fixture.hpp"
#include "tests/spec_cases.hpp"

using namespace sv;
using core::json;

namespace {

const std::string base = "/druid/indexer/v1/supervisor";

// A supervisor on the node's embedded Kafka (topic "events", not created: it
// runs no task, which is all these tests need).
json spec(const std::string& id) {
  auto j = test::patched(test::base_kafka_spec(), "id", json{id});
  return test::patched(j, "spec/ioConfig/consumerProperties",
                       json::make_object({{"bootstrap.servers", "embedded"}}));
}

json reset_body(const std::string& stream, const std::string& kind = "end") {
  return json::make_object(
      {{"type", "kafka"},
       {"partitions",
        json::make_object(
            {{"type", kind},
             {"stream", stream},
             {"partitionOffsetMap", json::make_object({{"0", 100}, {"2", 650}})}})}});
}

}  // namespace

TEST_CASE("reset and resetOffsets: Druid's shapes and errors") {
  test::node_fixture node;
  REQUIRE(node.post_json(base, spec("wiki")).status == 200);

  auto reset = node.post_empty(base + "/wiki/reset");
  CHECK(reset.status == 200);
  CHECK(reset.json() == json::make_object({{"id", "wiki"}}));
  CHECK(node.post_empty(base + "/ghost/reset").status == 404);

  auto ok = node.post_json(base + "/wiki/resetOffsets", reset_body("events"));
  CHECK(ok.status == 200);
  CHECK(ok.json() == json::make_object({{"id", "wiki"}}));

  auto wrong_stream = node.post_json(base + "/wiki/resetOffsets", reset_body("other"));
  CHECK(wrong_stream.status == 400);
  CHECK(wrong_stream.json().find("error")->as_string() ==
        "Stream[other] doesn't exist in the supervisor[wiki]. Supervisor is consuming "
        "stream[events].");
  auto start_type =
      node.post_json(base + "/wiki/resetOffsets", reset_body("events", "start"));
  CHECK(start_type.status == 400);
  CHECK(node.post(base + "/wiki/resetOffsets", "{nope").status == 400);
  CHECK(node.post(base + "/wiki/resetOffsets", "x", "text/plain").status == 415);
  CHECK(node.post_json(base + "/ghost/resetOffsets", reset_body("events")).status == 404);

  // Resets go to the audit table, not the spec history.
  auto hist = node.get(base + "/wiki/history").json();

  CHECK(hist.as_array().size() == 1);  // resets are not spec versions
}

TEST_CASE("taskGroups/handoff: 202, 400 for an empty list, 404 for an unknown id") {
  test::node_fixture node;
  REQUIRE(node.post_json(base, spec("wiki")).status == 200);
  auto ok = node.post(base + "/wiki/taskGroups/handoff", R"({"taskGroupIds":[0,1]})");
  CHECK(ok.status == 202);
  CHECK(ok.body.empty());
  auto empty = node.post(base + "/wiki/taskGroups/handoff", R"({"taskGroupIds":[]})");
  CHECK(empty.status == 400);
  CHECK(empty.json().find("error")->as_string() ==
        "List of task groups to handoff can't be empty");
  auto ghost = node.post(base + "/ghost/taskGroups/handoff", R"({"taskGroupIds":[0]})");
  CHECK(ghost.status == 404);
  CHECK(ghost.json().find("error")->as_string() == "Supervisor was not found [ghost]");
}

TEST_CASE("stats and parseErrors: empty without tasks, 404 for an unknown id") {
  test::node_fixture node;
  REQUIRE(node.post_json(base, spec("wiki")).status == 200);
  auto stats = node.get(base + "/wiki/stats");
  CHECK(stats.status == 200);
  CHECK(stats.json() == json{json::object{}});
  auto errors = node.get(base + "/wiki/parseErrors");
  CHECK(errors.status == 200);
  CHECK(errors.json() == json{json::array{}});
  CHECK(node.get(base + "/ghost/stats").status == 404);
  CHECK(node.get(base + "/ghost/parseErrors").status == 404);
}

TEST_CASE("task endpoints: list filters, unknown tasks, bad states") {
  test::node_fixture node;
  auto all = node.get("/druid/indexer/v1/tasks");
  CHECK(all.status == 200);
  CHECK(all.json() == json{json::array{}});
  CHECK(node.get("/druid/indexer/v1/tasks?state=complete&datasource=x").json() ==
        json{json::array{}});
  auto bad = node.get("/druid/indexer/v1/tasks?state=sleeping");
  CHECK(bad.status == 400);
  auto status = node.get("/druid/indexer/v1/task/nope/status");
  CHECK(status.status == 404);
  CHECK(status.json() == json::make_object({{"task", "nope"}, {"status", json{}}}));
  CHECK(node.get("/druid/indexer/v1/task/nope/reports").status == 404);
  CHECK(node.get("/druid/indexer/v1/task/nope").status == 404);
  CHECK(node.post_empty("/druid/indexer/v1/task/nope/shutdown").status == 404);
}
