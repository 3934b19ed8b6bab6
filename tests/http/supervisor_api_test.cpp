// The supervisor API over real HTTP against a real node (SQLite metadata).

#include <set>

#include <doctest/doctest.h>

#include "tests/http/node_fixture.hpp"
#include "tests/spec_cases.hpp"
#include "tests/test_data.hpp"

using namespace sv;
using core::json;

namespace {

const std::string base = "/druid/indexer/v1/supervisor";

json kafka_spec(const std::string& id, const std::string& topic = "events") {
  auto j = test::base_kafka_spec();
  j = test::patched(j, "id", json{id});
  return test::patched(j, "spec/ioConfig/topic", json{topic});
}

}  // namespace

TEST_CASE("create, list, get, status, suspend, resume, history, terminate") {
  test::node_fixture node;
  CHECK(node.get("/status/health").body == "true");
  CHECK(node.get(base).json() == json{json::array{}});

  auto created = node.post_json(base, kafka_spec("wiki"));
  REQUIRE(created.status == 200);
  CHECK(created.json() == json::make_object({{"id", "wiki"}, {"restarted", true}}));

  CHECK(node.get(base).json().dump() == R"(["wiki"])");
  auto spec = node.get(base + "/wiki");
  REQUIRE(spec.status == 200);
  CHECK(spec.json().find("spec")->find("ioConfig")->find("taskCount")->as_int() == 2);
  CHECK(spec.json().find("ioConfig")->find("startDelay")->as_string() == "PT5S");

  auto status = node.get(base + "/wiki/status");
  REQUIRE(status.status == 200);
  auto payload = *status.json().find("payload");
  CHECK(status.json().find("id")->as_string() == "wiki");
  CHECK(status.json().find("generationTime")->is_string());
  CHECK(payload.find("state")->as_string() == "PENDING");
  CHECK(payload.find("dataSource")->as_string() == "events");
  CHECK(payload.find("stream")->as_string() == "events");
  CHECK(payload.find("durationSeconds")->as_int() == 3600);
  for (const char* field :
       {"partitions", "replicas", "activeTasks", "publishingTasks", "latestOffsets",
        "minimumLag", "aggregateLag", "offsetsLastUpdated", "suspended", "healthy",
        "detailedState", "recentErrors"}) {
    CAPTURE(field);
    CHECK(payload.find(field) != nullptr);
  }
  CHECK(node.get(base + "/wiki/health").status == 200);

  auto suspended = node.post_empty(base + "/wiki/suspend");
  REQUIRE(suspended.status == 200);
  CHECK(suspended.json().find("suspended")->as_bool());
  auto again = node.post_empty(base + "/wiki/suspend");
  CHECK(again.status == 400);
  CHECK(again.json().find("error")->as_string() == "[wiki] is already suspended");
  auto states = node.get(base + "?state=true").json();
  REQUIRE(states.as_array().size() == 1);
  CHECK(states.as_array()[0].find("state")->as_string() == "SUSPENDED");
  CHECK(states.as_array()[0].find("suspended")->as_bool());

  REQUIRE(node.post_empty(base + "/wiki/resume").status == 200);
  auto running = node.post_empty(base + "/wiki/resume");
  CHECK(running.status == 400);
  CHECK(running.json().find("error")->as_string() == "[wiki] is already running");

  auto hist = node.get(base + "/wiki/history").json();
  REQUIRE(hist.as_array().size() == 3);  // create, suspend, resume — newest first
  CHECK_FALSE(hist.as_array()[0].find("spec")->find("suspended")->as_bool());
  CHECK(hist.as_array()[1].find("spec")->find("suspended")->as_bool());
  CHECK(hist.as_array()[0].find("version")->is_string());
  CHECK(node.get(base + "/wiki/history?count=1").json().as_array().size() == 1);
  CHECK(node.get(base + "/wiki/history?count=0").status == 400);
  CHECK(node.get(base + "/wiki/history?count=x").status == 400);
  auto all = node.get(base + "/history").json();
  CHECK(all.find("wiki")->as_array().size() == 3);

  auto term = node.post_empty(base + "/wiki/terminate");
  REQUIRE(term.status == 200);
  CHECK(term.json() == json::make_object({{"id", "wiki"}}));
  CHECK(node.get(base).json() == json{json::array{}});
  CHECK(node.get(base + "/wiki").status == 404);
  CHECK(node.post_empty(base + "/wiki/terminate").status == 404);
  auto after = node.get(base + "/wiki/history").json();
  REQUIRE(after.as_array().size() == 4);
  CHECK(after.as_array()[0].find("spec")->find("type")->as_string() ==
        "NoopSupervisorSpec");
}

TEST_CASE("the seed's Kinesis example and the Druid docs Kafka example are accepted") {
  test::node_fixture node;
  auto kinesis = node.post(base, test::read_data("specs/kinesis_autoscaler.json"));
  CHECK(kinesis.status == 200);
  CHECK(kinesis.json().find("id")->as_string() == "metrics-kinesis");
  auto kafka = node.post(base, test::read_data("specs/kafka_metrics.json"));
  CHECK(kafka.status == 200);
  CHECK(kafka.json().find("id")->as_string() == "metrics-kafka");
  auto full = node.get(base + "?full").json();
  REQUIRE(full.as_array().size() == 2);
  const auto& first = full.as_array()[0];
  CHECK(first.find("id")->as_string() == "metrics-kafka");
  CHECK(first.find("spec")->find("type")->as_string() == "kafka");
  CHECK(first.find("detailedState")->as_string() == "PENDING");
  CHECK(first.find("healthy")->as_bool());
  auto sys = node.get(base + "?system").json();
  const auto& k = sys.as_array()[1];
  CHECK(k.find("type")->as_string() == "kinesis");
  CHECK(k.find("source")->as_string() == "metrics");
  auto spec_string = json::parse(k.find("specString")->as_string());
  REQUIRE(spec_string);
  CHECK(spec_string->find("ioConfig")
            ->find("autoScalerConfig")
            ->find("taskCountMax")
            ->as_int() == 6);
}

TEST_CASE("at least 30 distinct invalid specs each get a 400 naming the right path") {
  test::node_fixture node;
  auto cases = test::invalid_spec_cases();
  REQUIRE(cases.size() >= 30);
  std::set<std::string> paths;
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto r = node.post_json(base, c.spec);
    CHECK(r.status == 400);
    auto error = r.json().find("error")->as_string();
    CAPTURE(error);
    CHECK(error.find(c.path + ": ") != std::string::npos);
    CHECK(error.find(c.fragment) != std::string::npos);
    bool listed = false;
    auto body = r.json();
    const json* errors = body.find("errors");
    REQUIRE(errors != nullptr);
    for (const auto& p : errors->as_array())
      listed |= p.find("path")->as_string() == c.path;
    CHECK(listed);
    paths.insert(c.path);
  }
  CHECK(paths.size() >= 30);
  CHECK(node.get(base).json() == json{json::array{}});  // nothing was created
}

TEST_CASE("bodies that are not JSON specs are refused with 400 or 415") {
  test::node_fixture node;
  auto not_json = node.post(base, "{\"type\": ", "application/json");
  CHECK(not_json.status == 400);
  CHECK(not_json.json().find("error")->as_string().find("malformed JSON") !=
        std::string::npos);
  auto form =
      node.post(base, kafka_spec("x").dump(), "application/x-www-form-urlencoded");
  CHECK(form.status == 415);
  CHECK(node.post(base, "[]").status == 400);
  CHECK(node.get("/druid/indexer/v1/nothing").status == 404);
  CHECK(node.post(base + "/history", "{}").status == 405);
}

TEST_CASE("updates: skipRestartIfUnmodified, changes and illegal stream changes") {
  test::node_fixture node;
  REQUIRE(node.post_json(base, kafka_spec("s1")).status == 200);
  auto same = node.post_json(base + "?skipRestartIfUnmodified=true", kafka_spec("s1"));
  REQUIRE(same.status == 200);
  CHECK_FALSE(same.json().find("restarted")->as_bool());
  CHECK(node.get(base + "/s1/history").json().as_array().size() == 1);
  auto same_no_flag = node.post_json(base, kafka_spec("s1"));
  CHECK(same_no_flag.json().find("restarted")->as_bool());

  auto changed = test::patched(kafka_spec("s1"), "spec/ioConfig/taskCount", json{4});
  auto upd = node.post_json(base + "?skipRestartIfUnmodified=true", changed);
  REQUIRE(upd.status == 200);
  CHECK(upd.json().find("restarted")->as_bool());
  CHECK(node.get(base + "/s1").json().find("ioConfig")->find("taskCount")->as_int() == 4);

  auto other_topic = node.post_json(base, kafka_spec("s1", "another-topic"));
  CHECK(other_topic.status == 400);
  CHECK(other_topic.json().find("error")->as_string().find(
            "[events] to [another-topic]") != std::string::npos);
  CHECK(node.get(base + "/s1").json().find("ioConfig")->find("topic")->as_string() ==
        "events");
}

TEST_CASE("suspendAll, resumeAll and terminateAll act on every supervisor") {
  test::node_fixture node;
  for (const char* id : {"a", "b", "c"})
    REQUIRE(node.post_json(base, kafka_spec(id)).status == 200);
  REQUIRE(node.post_empty(base + "/b/suspend").status == 200);
  auto s = node.post_empty(base + "/suspendAll");
  REQUIRE(s.status == 200);
  CHECK(s.json() == json::make_object({{"status", "success"}}));
  auto after_suspend = node.get(base + "?state=true").json();
  REQUIRE(after_suspend.as_array().size() == 3);
  for (const auto& x : after_suspend.as_array()) CHECK(x.find("suspended")->as_bool());
  CHECK(node.get(base + "/b/history").json().as_array().size() ==
        2);  // no extra version for b
  REQUIRE(node.post_empty(base + "/resumeAll").status == 200);
  auto after_resume = node.get(base + "?state=true").json();
  REQUIRE(after_resume.as_array().size() == 3);
  for (const auto& x : after_resume.as_array())
    CHECK_FALSE(x.find("suspended")->as_bool());
  REQUIRE(node.post_empty(base + "/terminateAll").status == 200);
  CHECK(node.get(base).json() == json{json::array{}});
}

TEST_CASE("unknown ids get 404 with Druid's messages") {
  test::node_fixture node;
  CHECK(node.get(base + "/ghost").json().find("error")->as_string() ==
        "[ghost] does not exist");
  CHECK(node.get(base + "/ghost/status").status == 404);
  CHECK(node.get(base + "/ghost/health").status == 404);
  CHECK(node.post_empty(base + "/ghost/suspend").status == 404);
  auto h = node.get(base + "/ghost/history");
  CHECK(h.status == 404);
  CHECK(h.json().find("error")->as_string() == "No history for [ghost].");
}

TEST_CASE("specs survive a restart; terminated ones stay gone") {
  test::node_fixture node;
  REQUIRE(node.post_json(base, kafka_spec("keep")).status == 200);
  REQUIRE(node.post_json(base, kafka_spec("paused")).status == 200);
  REQUIRE(node.post_empty(base + "/paused/suspend").status == 200);
  REQUIRE(node.post_json(base, kafka_spec("gone")).status == 200);
  REQUIRE(node.post_empty(base + "/gone/terminate").status == 200);
  auto before = node.get(base + "/keep").body;
  node.restart();
  CHECK(node.get(base).json().dump() == R"(["keep","paused"])");
  CHECK(node.get(base + "/keep").body == before);
  auto states = node.get(base + "?state=true").json();
  CHECK(states.as_array()[1].find("state")->as_string() == "SUSPENDED");
  CHECK(node.get(base + "/gone/history").json().as_array().size() == 2);
}

TEST_CASE("the API works the same on a PostgreSQL metadata store, across a restart") {
  test::postgres_env pg;
  test::node_fixture node{pg.uri()};
  REQUIRE(node.post_json(base, kafka_spec("pg1")).status == 200);
  REQUIRE(node.post_empty(base + "/pg1/suspend").status == 200);
  node.restart();
  auto states = node.get(base + "?state=true").json();
  REQUIRE(states.as_array().size() == 1);
  CHECK(states.as_array()[0].find("suspended")->as_bool());
  CHECK(node.get(base + "/pg1/history").json().as_array().size() == 2);
}
