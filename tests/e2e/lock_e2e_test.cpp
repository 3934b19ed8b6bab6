// Time-chunk locks on a real node: two supervisors write one datasource with
// EXCLUSIVE locks (the default). The second one's tasks wait — visibly in its
// status, in /tasks?state=waiting and in /locks — until the first one's tasks
// let go; then it ingests everything, once.

#include <doctest/doctest.h>

#include "tests/e2e/e2e_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::json;

namespace {

// Polls `get` until `pred` holds on its JSON, or fails after `timeout`.
template <class Pred>
json wait_for(test::e2e_fixture& f, const std::string& path, Pred pred,
              std::chrono::seconds timeout = 60s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto r = f.get(path);
    REQUIRE(r.status == 200);
    auto j = r.json();
    if (pred(j)) return j;
    if (std::chrono::steady_clock::now() > deadline) FAIL(path << ": " << j.dump());
    std::this_thread::sleep_for(200ms);
  }
}

}  // namespace

TEST_CASE_FIXTURE(test::e2e_fixture,
                  "locks: a second supervisor on the datasource waits for the first") {
  // The first supervisor's tasks live for an hour: they hold their lock.
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(R"("taskDuration":"PT1H")"))
              .status == 200);
  produce(4000);
  wait_for(*this, "/druid/indexer/v1/locks", [](const json& j) {
    for (const auto& l : j.find("locks")->as_array())
      if (l.find("groupId")->as_string() == "index_kafka_e2e") return true;
    return false;
  });

  // The twin reads the same topic into the same datasource.
  auto text = spec(R"("taskDuration":"PT1H")").dump();
  auto at = text.find(R"("id":"e2e")");
  REQUIRE(at != std::string::npos);
  text.replace(at, 10, R"("id":"e2e_twin")");
  auto twin = json::parse(text);
  REQUIRE(twin);
  REQUIRE(post_json("/druid/indexer/v1/supervisor", *twin).status == 200);

  auto waiting = wait_for(*this, "/druid/indexer/v1/tasks?state=waiting",
                          [](const json& j) { return j.as_array().size() == 2; });
  for (const auto& t : waiting.as_array()) {
    CHECK(t.find("runnerStatusCode")->as_string() == "WAITING");
    CHECK(t.find("id")->as_string().find("e2e_twin") != std::string::npos);
  }
  auto locks = get("/druid/indexer/v1/locks").json();
  const auto& waiters = locks.find("waiting")->as_array();
  REQUIRE(waiters.size() == 2);
  for (const auto& w : waiters) {
    CHECK(w.find("groupId")->as_string() == "index_kafka_e2e_twin");
    CHECK(w.find("type")->as_string() == "EXCLUSIVE");
    CHECK(w.find("interval")->as_string() ==
          "2026-01-01T10:00:00.000Z/2026-01-01T11:00:00.000Z");
    CHECK(w.find("blockedBy")->as_array()[0].as_string() == "index_kafka_e2e");
  }
  auto s =
      wait_for(*this, "/druid/indexer/v1/supervisor/e2e_twin/status", [](const json& j) {
        const auto& active = j.find("payload")->find("activeTasks")->as_array();
        if (active.size() != 2) return false;
        for (const auto& t : active)
          if (!t.find("waitingForLock")) return false;
        return true;
      });
  for (const auto& t : s.find("payload")->find("activeTasks")->as_array()) {
    const json* w = t.find("waitingForLock");
    CHECK(w->find("lockType")->as_string() == "EXCLUSIVE");
    CHECK(w->find("heldBy")->as_array()[0].as_string() == "index_kafka_e2e");
  }
  CHECK(committed("e2e_twin").empty());  // nothing published while waiting

  // The first supervisor publishes and lets go; the twin goes on.
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", true, 120s);
  CHECK(committed() == produced_end());
  // The twin's tasks got the lock and read on; suspended, they publish.
  wait_for(*this, "/druid/indexer/v1/locks", [](const json& j) {
    if (!j.find("waiting")->as_array().empty()) return false;
    for (const auto& l : j.find("locks")->as_array())
      if (l.find("groupId")->as_string() == "index_kafka_e2e_twin") return true;
    return false;
  });
  s = status("e2e_twin");
  for (const auto& t : s.find("activeTasks")->as_array())
    CHECK_FALSE(t.find("waitingForLock"));
  REQUIRE(post_empty("/druid/indexer/v1/supervisor/e2e_twin/suspend").status == 200);
  wait_state("SUSPENDED", true, 120s, "e2e_twin");
  CHECK(committed("e2e_twin") == produced_end());

  // Each supervisor ingested the topic once: every event is there twice.
  auto got = published();
  size_t produced = 0, twice = 0;
  {
    std::lock_guard<std::mutex> g{mtx};
    for (const auto& list : ids)
      for (const auto& e : list) {
        ++produced;
        auto i = got.find(e);
        twice += i != got.end() && i->second == 2;
      }
  }
  CHECK(produced == 4000);
  CHECK(twice == produced);
  CHECK(got.size() == produced);
}
