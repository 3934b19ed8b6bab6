// A supervisor on a real node, end to end: rollovers under load, suspend and
// resume, a spec update mid-stream, a task killed mid-read, resetOffsets, and
// a broker that goes away. After each phase the published segments hold each
// produced event exactly once.

#include <doctest/doctest.h>

#include "tests/e2e/e2e_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;

TEST_CASE_FIXTURE(test::e2e_fixture,
                  "exactly once through rollovers, suspend, update, kill, resetOffsets") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec()).status == 200);

  // Phase 1: 200,000 events over ~35 s while groups roll every 10 s.
  produce(200000, 35s);
  wait_caught_up();
  // Three rollovers of two groups. A task's row says SUCCESS just after its
  // publish committed the offsets wait_caught_up saw, so it is polled for.
  CHECK(wait_tasks_with_status("SUCCESS", 6) >= 6);
  check_exactly_once();

  // Phase 2: suspend, produce, nothing is read; resume, everything is.
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", true);
  auto at_suspend = committed();
  produce(20000);
  std::this_thread::sleep_for(3s);
  CHECK(committed() == at_suspend);
  CHECK(status().find("activeTasks")->as_array().empty());
  REQUIRE(post_empty(sup("/resume")).status == 200);
  wait_caught_up();
  check_exactly_once();

  // Phase 3: a spec update while events arrive (taskCount 2 -> 3).
  auto producing = produce_async(40000, 10s);
  std::this_thread::sleep_for(3s);
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(R"("taskCount":3)")).status ==
          200);
  producing.join();
  wait_caught_up();
  check_exactly_once();
  // Three groups read now (between rollovers).
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (status().find("activeTasks")->as_array().size() != 3 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  CHECK(status().find("activeTasks")->as_array().size() == 3);

  // Phase 4: a task killed mid-read is replaced; nothing is lost or doubled.
  producing = produce_async(30000, 8s);
  std::this_thread::sleep_for(2s);
  auto running = get("/druid/indexer/v1/tasks?state=running&datasource=" + id).json();
  REQUIRE_FALSE(running.as_array().empty());
  auto victim = running.as_array()[0].find("id")->as_string();
  REQUIRE(post_empty("/druid/indexer/v1/task/" + victim + "/shutdown").status == 200);
  producing.join();
  wait_caught_up();
  check_exactly_once();
  auto victim_status = get("/druid/indexer/v1/task/" + victim + "/status").json();
  CHECK(victim_status.find("status")->find("statusCode")->as_string() == "FAILED");

  // Phase 5: the docs' resetOffsets, skipping 500 events on partitions 0 and 2
  // (suspended, so what is skipped is exact).
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", true);
  produce(16000);
  auto before = committed();
  auto to0 = (before.at("0") + 500).value(), to2 = (before.at("2") + 500).value();
  auto body = core::json::make_object(
      {{"type", "kafka"},
       {"partitions",
        core::json::make_object({{"type", "end"},
                                 {"stream", topic},
                                 {"partitionOffsetMap",
                                  core::json::make_object({{"0", to0}, {"2", to2}})}})}});
  auto reset = post_json(sup("/resetOffsets"), body);
  REQUIRE(reset.status == 200);
  CHECK(reset.json().find("id")->as_string() == id);
  auto after = committed();
  CHECK(after.at("0") == to0);
  CHECK(after.at("2") == to2);
  CHECK(after.at("1") == before.at("1"));
  REQUIRE(post_empty(sup("/resume")).status == 200);
  wait_caught_up();
  check_exactly_once({{0, {before.at("0").value(), to0}}, {2, {before.at("2").value(), to2}}});
}

TEST_CASE_FIXTURE(test::e2e_fixture,
                  "a broker taken down: LOST_CONTACT_WITH_STREAM, then RUNNING") {
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec()).status == 200);
  produce(2000);
  wait_state("RUNNING");
  REQUIRE(post_empty("/streamvisor/v1/kafka/brokers/1/down").status == 200);
  wait_state("LOST_CONTACT_WITH_STREAM", false, 90s);
  auto s = status();
  CHECK(s.find("state")->as_string() == "UNHEALTHY_SUPERVISOR");
  CHECK(get(sup("/health")).status == 503);
  REQUIRE(post_empty("/streamvisor/v1/kafka/brokers/1/up").status == 200);
  wait_state("RUNNING", false, 90s);
  CHECK(get(sup("/health")).status == 200);
  produce(2000);
  // Nothing read before or after the outage is lost or doubled.
  wait_caught_up();
  check_exactly_once();
}
