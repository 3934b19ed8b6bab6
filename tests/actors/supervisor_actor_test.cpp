// The supervisor actor under the deterministic scheduler: the run loop with
// the real task runner and metadata store, fake tasks and a fake stream.

#include "actors/supervisor_actor.hpp"

#include <doctest/doctest.h>

#include "tests/actors/supervisor_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::offset_map;
using test::offsets;

namespace {

core::supervisor_spec quick_spec(const std::string& io = "") {
  return test::make_spec(R"("startDelay":"PT1S","period":"PT2S","taskDuration":"PT10S")" +
                         (io.empty() ? "" : "," + io));
}

struct fixture : test::supervisor_fixture {
  void seed_row(offset_map o) {
    REQUIRE_FALSE(store->reset_offsets(
        "wiki",
        core::committed_offsets{"kafka", "wiki", std::move(o), std::nullopt, {}}));
  }
  size_t count(const core::json& status, const char* list) {
    return status.find(list)->as_array().size();
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "tasks start after startDelay, one group per taskCount") {
  auto sup = start(quick_spec(R"("taskCount":2)"));
  CHECK(live().empty());
  CHECK(state_of(sup) == "PENDING");
  step(1);
  auto tasks = live();
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[0]->spec.start.size() == 1);
  for (const auto& t : tasks)
    for (const auto& [_, o] : t->spec.start) CHECK(o == 1000);
  auto s = status(sup);
  CHECK(count(s, "activeTasks") == 2);
  CHECK(s.find("detailedState")->as_string() == "RUNNING");
  CHECK(s.find("partitions")->as_int() == 2);
  CHECK(s.find("activeTasks")->as_array()[0].find("startTime")->is_string());
  // The manager heard about the state changes.
  REQUIRE_FALSE(summaries.empty());
  CHECK(summaries.back().state == core::detailed_state::running);
  // Task rows are written at submission.
  auto row = store->task(tasks[0]->spec.id);
  REQUIRE(row);
  REQUIRE(row->has_value());
  CHECK((*row)->status == "RUNNING");
}

TEST_CASE_FIXTURE(fixture,
                  "rollover: pause, max offsets, publish; the next group starts there") {
  seed_row(offsets({{"0", 1000}, {"1", 1000}}));
  auto sup = start(quick_spec(R"("taskCount":1,"replicas":2)"));
  step(1);
  auto first = live();
  REQUIRE(first.size() == 2);
  first[0]->position = offsets({{"0", 1040}, {"1", 1070}});
  first[1]->position = offsets({{"0", 1050}, {"1", 1060}});
  step(12);
  // Both replicas got the per-partition maximum as their final end.
  for (const auto& t : first) {
    REQUIRE(t->end);
    CHECK(*t->end == offsets({{"0", 1050}, {"1", 1070}}));
    CHECK_FALSE(t->paused);
  }
  auto next = reading();
  REQUIRE(next.size() == 2);
  CHECK(next[0]->spec.start == offsets({{"0", 1050}, {"1", 1070}}));
  auto s = status(sup);
  CHECK(count(s, "publishingTasks") == 2);
  CHECK(count(s, "activeTasks") == 2);
  // One replica publishes; the other is stopped.
  publish(first[1]);
  CHECK(committed("wiki") == offsets({{"0", 1050}, {"1", 1070}}));
  step(1);
  CHECK_FALSE(first[0]->alive);
  CHECK(count(status(sup), "publishingTasks") == 0);
  CHECK(state_of(sup) == "RUNNING");
}

TEST_CASE_FIXTURE(
    fixture, "a publish failure stops the successor; reading restarts from the row") {
  seed_row(offsets({{"0", 1000}, {"1", 1000}}));
  auto sup = start(quick_spec());
  step(1);
  auto first = live();
  REQUIRE(first.size() == 1);
  read(30);
  step(12);
  auto second = reading();
  REQUIRE(second.size() == 1);
  CHECK(second[0]->spec.start == offsets({{"0", 1030}, {"1", 1030}}));
  first[0]->fail_publish = true;
  publish(first[0]);
  step(2);
  CHECK_FALSE(second[0]->alive);
  auto third = reading();
  REQUIRE(third.size() == 1);
  CHECK(third[0]->spec.start == offsets({{"0", 1000}, {"1", 1000}}));
  CHECK(committed("wiki") == offsets({{"0", 1000}, {"1", 1000}}));
}

TEST_CASE_FIXTURE(
    fixture,
    "completionTimeout: a group that never publishes is stopped with its successor") {
  seed_row(offsets({{"0", 1000}, {"1", 1000}}));
  auto sup = start(quick_spec(R"("completionTimeout":"PT20S")"));
  step(1);
  auto first = live();
  read(10);
  step(12);
  auto second = reading();
  REQUIRE(second.size() == 1);
  step(22);
  CHECK_FALSE(first[0]->alive);
  CHECK_FALSE(second[0]->alive);
  auto s = status(sup);
  auto errors = s.find("recentErrors")->as_array();
  REQUIRE_FALSE(errors.empty());
  CHECK(errors.back().find("message")->as_string().find("completion timeout") !=
        std::string::npos);
  auto again = reading();
  REQUIRE(again.size() == 1);
  CHECK(again[0]->spec.start == offsets({{"0", 1000}, {"1", 1000}}));
}

TEST_CASE_FIXTURE(
    fixture, "a task that crashes is reported failed and replaced at the same start") {
  seed_row(offsets({{"0", 500}, {"1", 500}}));
  auto sup = start(quick_spec(R"("taskDuration":"PT1H")"));
  step(1);
  auto first = live();
  REQUIRE(first.size() == 1);
  caf::anon_send_exit(first[0]->handle, caf::exit_reason::kill);
  sched.run();
  auto row = store->task(first[0]->spec.id);
  REQUIRE(row);
  CHECK((*row)->status == "FAILED");
  auto msg =
      (*row)->report.find("ingestionStatsAndErrors")->find("payload")->find("errorMsg");
  CHECK(msg->as_string().find("exited unexpectedly") != std::string::npos);
  step(2);
  auto replaced = reading();
  REQUIRE(replaced.size() == 1);
  CHECK(replaced[0]->spec.id != first[0]->spec.id);
  CHECK(replaced[0]->spec.start == offsets({{"0", 500}, {"1", 500}}));
}

TEST_CASE_FIXTURE(fixture,
                  "suspend publishes and starts nothing; resume continues at the end") {
  seed_row(offsets({{"0", 1000}, {"1", 1000}}));
  auto sup = start(quick_spec(R"("taskDuration":"PT1H")"));
  step(1);
  auto first = live();
  read(25);
  caf::anon_send(sup, msg::spec_updated{test::make_spec(
                          R"("startDelay":"PT1S","period":"PT2S","taskDuration":"PT1H")",
                          "", R"("suspended":true,)")});
  step(3);
  REQUIRE(first[0]->end);
  CHECK(*first[0]->end == offsets({{"0", 1025}, {"1", 1025}}));
  CHECK(reading().empty());
  publish(first[0]);
  step(4);
  CHECK(reading().empty());
  CHECK(state_of(sup) == "SUSPENDED");
  CHECK(committed("wiki") == offsets({{"0", 1025}, {"1", 1025}}));

  caf::anon_send(sup, msg::spec_updated{quick_spec(R"("taskDuration":"PT1H")")});
  step(2);
  auto resumed = reading();
  REQUIRE(resumed.size() == 1);
  CHECK(resumed[0]->spec.start == offsets({{"0", 1025}, {"1", 1025}}));
  CHECK(state_of(sup) == "RUNNING");
}

TEST_CASE_FIXTURE(fixture,
                  "hard reset kills readers, deletes the row, restarts at latest") {
  seed_row(offsets({{"0", 100}, {"1", 100}}));
  stream->latest = 2000;
  auto sup = start(quick_spec(R"("taskDuration":"PT1H")"));
  step(1);
  auto first = live();
  REQUIRE(first.size() == 1);
  CHECK(first[0]->spec.start == offsets({{"0", 100}, {"1", 100}}));
  REQUIRE(call<msg::ack>(sup, msg::reset_supervisor{"wiki", "test"}));
  CHECK_FALSE(first[0]->alive);
  CHECK(committed("wiki").empty());
  step(2);
  auto again = reading();
  REQUIRE(again.size() == 1);
  CHECK(again[0]->spec.start == offsets({{"0", 2000}, {"1", 2000}}));
}

TEST_CASE_FIXTURE(fixture,
                  "resetOffsets merges into the row and restarts the affected groups") {
  seed_row(offsets({{"0", 0}, {"1", 10}, {"2", 20}, {"3", 40}}));
  stream->partitions = 4;
  auto sup = start(quick_spec(R"("taskCount":2,"taskDuration":"PT1H")"));
  step(1);
  REQUIRE(live().size() == 2);
  auto group0 = reading(0), group1 = reading(1);
  auto body = *core::json::parse(
      R"({"type":"kafka","partitions":{"type":"end","stream":"wiki","partitionOffsetMap":{"0":100,"2":650}}})");
  REQUIRE(call<msg::ack>(sup, msg::reset_supervisor_offsets{"wiki", body, "test"}));
  CHECK(committed("wiki") == offsets({{"0", 100}, {"1", 10}, {"2", 650}, {"3", 40}}));
  CHECK_FALSE(group0[0]->alive);
  CHECK(group1[0]->alive);
  step(2);
  auto restarted = reading(0);
  REQUIRE(restarted.size() == 1);
  CHECK(restarted[0]->spec.start == offsets({{"0", 100}, {"2", 650}}));
  // A body for another stream is refused and changes nothing.
  auto wrong = *core::json::parse(
      R"({"type":"kafka","partitions":{"type":"end","stream":"other","partitionOffsetMap":{"0":1}}})");
  auto r = call<msg::ack>(sup, msg::reset_supervisor_offsets{"wiki", wrong, "test"});
  REQUIRE_FALSE(r);
  CHECK(core::is(r.error(), core::errc::invalid_input));
  CHECK(committed("wiki").at("0") == 100);
}

TEST_CASE_FIXTURE(fixture, "tasks beyond the runner's capacity wait as PENDING") {
  capacity = 1;
  auto sup = start(quick_spec(R"("taskCount":2,"taskDuration":"PT1H")"));
  step(1);
  CHECK(live().size() == 1);
  auto l = call<msg::runner_task_list>(runner, msg::list_runner_tasks{});
  REQUIRE(l);
  REQUIRE(l->tasks.size() == 2);
  int pending = 0;
  for (const auto& t : l->tasks) pending += t.status == "PENDING";
  CHECK(pending == 1);
  CHECK(count(status(sup), "activeTasks") == 2);
  // The running one goes: the pending one gets its slot.
  caf::anon_send_exit(live()[0]->handle, caf::exit_reason::kill);
  sched.run();
  CHECK(live().size() == 1);
}

TEST_CASE_FIXTURE(fixture,
                  "a stream that goes away: LOST_CONTACT_WITH_STREAM, then RUNNING") {
  auto sup = start(quick_spec(R"("taskDuration":"PT1H")"));
  step(1);
  CHECK(state_of(sup) == "RUNNING");
  stream->down = true;
  step(8);
  auto s = status(sup);
  CHECK(s.find("detailedState")->as_string() == "LOST_CONTACT_WITH_STREAM");
  CHECK(s.find("state")->as_string() == "UNHEALTHY_SUPERVISOR");
  CHECK_FALSE(s.find("healthy")->as_bool());
  CHECK(s.find("recentErrors")->as_array().back().find("streamException")->as_bool());
  stream->down = false;
  step(8);
  CHECK(state_of(sup) == "RUNNING");
}

TEST_CASE_FIXTURE(fixture, "a stream never reached: UNABLE_TO_CONNECT_TO_STREAM") {
  stream->down = true;
  auto sup = start(quick_spec());
  step(8);
  CHECK(state_of(sup) == "UNABLE_TO_CONNECT_TO_STREAM");
  CHECK(live().empty());
}

TEST_CASE_FIXTURE(fixture,
                  "terminate: reading groups publish, then the supervisor stops") {
  auto sup = start(quick_spec(R"("taskDuration":"PT1H")"));
  step(1);
  auto first = live();
  read(5);
  auto reply = self->request(sup, caf::infinite, msg::stop_supervisor{});
  step(2);  // runs are at least a second apart
  bool acked = false;

  std::move(reply).receive([&](msg::ack&) { acked = true; }, [](caf::error&) {});
  CHECK(acked);
  REQUIRE(first[0]->end);
  CHECK(reading().empty());
  publish(first[0]);
  step(2);
  CHECK(live().empty());
  CHECK(committed("wiki") == offsets({{"0", 1005}, {"1", 1005}}));
}

TEST_CASE_FIXTURE(fixture,
                  "a checkpoint request pauses the group and sets non-final ends") {
  auto sup = start(quick_spec(R"("taskDuration":"PT1H","replicas":2)"));
  step(1);
  auto tasks = live();
  REQUIRE(tasks.size() == 2);
  tasks[0]->position = offsets({{"0", 1200}, {"1", 1100}});
  tasks[1]->position = offsets({{"0", 1150}, {"1", 1300}});
  caf::anon_send(tasks[0]->handle, actors::persist_atom::value);
  sched.run();
  for (const auto& t : tasks) {
    REQUIRE(t->checkpoints.size() == 1);
    CHECK(t->checkpoints[0] == offsets({{"0", 1200}, {"1", 1300}}));
    CHECK_FALSE(t->end);
    CHECK_FALSE(t->paused);
  }
}

TEST_CASE_FIXTURE(
    fixture,
    "handoff rolls the named groups now; stats and parse errors come from tasks") {
  auto sup = start(test::make_spec(
      R"("startDelay":"PT1S","period":"PT2S","taskCount":2,"taskDuration":"PT1H")",
      R"("maxSavedParseExceptions":5)"));
  step(1);
  auto stats = call<core::json>(sup, msg::get_supervisor_stats{"wiki"});

  REQUIRE(stats);
  REQUIRE(stats->find("0"));
  CHECK(stats->find("0")->as_object().size() == 1);
  CHECK(stats->find("1"));
  auto errors = call<core::json>(sup, msg::get_parse_errors{"wiki"});
  REQUIRE(errors);
  CHECK(errors->as_array().size() == 2);
  REQUIRE(call<msg::ack>(sup, msg::handoff_task_groups{"wiki", {1}}));
  step(1);
  CHECK(reading(0).size() == 1);
  for (const auto& t : live())
    if (t->spec.group_id == 1 && t->end) CHECK(*t->end == t->position);
}

TEST_CASE_FIXTURE(
    fixture,
    "lag pairs the latest offsets of a run with the tasks' offsets of that run") {
  // offsetFetchPeriod stays at its 30 s default; runs come every 2 s.
  auto sup = start(quick_spec());
  step(1);
  REQUIRE(live().size() == 1);
  auto s = status(sup);
  CHECK(s.find("aggregateLag")->as_int() == 0);
  // The stream grows by 500 a partition and the task keeps up.
  for (int i = 1; i <= 3; ++i) {
    stream->latest = 1000 + 500 * i;
    read(500);
    step(2);
    s = status(sup);
    CAPTURE(s.dump());
    CHECK(s.find("aggregateLag")->as_int() == 0);
    for (const auto& [p, o] :
         s.find("activeTasks")->as_array()[0].find("currentOffsets")->as_object())
      CHECK(o.as_int() == 1000 + 500 * i);
  }
  // Behind by 300 a partition: said at the next run.
  stream->latest += 300;
  step(2);
  CHECK(status(sup).find("aggregateLag")->as_int() == 600);
}
