// Notices and management: suspend, resume, spec update, taskCount change,
// repartitioning, hard reset, resetOffsets, terminate, bounded ranges, idle.

#include "core/errc.hpp"
#include "core/supervisor/reset_request.hpp"
#include "tests/core/supervisor/planner_fixture.hpp"

namespace sv::test {

TEST_CASE(
    "suspend: reading groups publish, nothing new starts; resume starts at their end") {
  planner p{make_spec(R"("taskCount":2)")};
  p.run_and_start(0);
  p.r->update_spec(make_spec(R"("taskCount":2)", "", R"("suspended":true,)"), at(5));
  auto out = p.run(6);
  auto rolls = only<roll_over>(out);
  CHECK(rolls.size() == 2);
  CHECK(only<create_task>(out).empty());
  for (const auto& ro : rolls) p.finish_roll(ro, p.r->reading().at(ro.group).start, 7);
  CHECK(only<create_task>(p.run(8)).empty());
  CHECK(p.r->state() == detailed_state::suspended);
  CHECK(p.r->reading().empty());

  p.r->update_spec(make_spec(R"("taskCount":2)"), at(9));
  auto created = only<create_task>(p.run(10));
  REQUIRE(created.size() == 2);
  CHECK(created[0].spec.start == offsets({{"0", 1000}, {"2", 1000}}));
  CHECK(p.r->state() == detailed_state::running);
}

TEST_CASE("suspend: tasks still waiting for a slot are killed, their group forgotten") {
  planner p{make_spec()};
  auto created = only<create_task>(p.run(0));
  p.r->update_spec(make_spec("", "", R"("suspended":true,)"), at(1));
  auto out = p.run(2);
  auto kills = only<kill_task>(out);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task_id == created[0].spec.id);
  CHECK(p.r->reading().empty());
}

TEST_CASE(
    "spec update: groups publish, new groups read with the new spec at their end "
    "offsets") {
  planner p{make_spec(R"("taskCount":1)", R"("maxRowsPerSegment":1000)")};
  auto first = only<create_task>(p.run_and_start(0));
  p.r->update_spec(make_spec(R"("taskCount":1)", R"("maxRowsPerSegment":2000)"), at(3));
  auto rolls = only<roll_over>(p.run(4));
  REQUIRE(rolls.size() == 1);
  p.finish_roll(rolls[0], p.all(1234), 5);
  auto created = only<create_task>(p.run(6));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.spec.tuning.max_rows_per_segment == 2000);
  CHECK(created[0].spec.start == p.all(1234));
  CHECK(created[0].spec.base_sequence_name != first[0].spec.base_sequence_name);
}

TEST_CASE(
    "spec update: a new taskCount regroups partitions once every old group rolled") {
  planner p{make_spec(R"("taskCount":2)")};
  p.run_and_start(0);
  p.r->update_spec(make_spec(R"("taskCount":1)"), at(1));
  auto rolls = only<roll_over>(p.run(2));
  REQUIRE(rolls.size() == 2);
  p.finish_roll(rolls[0], offsets({{"0", 1100}, {"2", 1200}}), 3);
  // Partitions 1 and 3 are still being rolled: the new group 0 waits.
  CHECK(only<create_task>(p.run(4)).empty());
  p.finish_roll(rolls[1], offsets({{"1", 1300}, {"3", 1400}}), 5);
  auto created = only<create_task>(p.run(6));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start ==
        offsets({{"0", 1100}, {"1", 1300}, {"2", 1200}, {"3", 1400}}));
}

TEST_CASE(
    "repartition: new partitions roll groups after repartitionTransitionDuration, from "
    "earliest") {
  planner p{make_spec(R"("taskCount":2)", R"("repartitionTransitionDuration":"PT10S")")};
  p.earliest = 5;
  p.run_and_start(0);
  p.partitions = 6;
  CHECK(only<roll_over>(p.run(1)).empty());
  auto rolls = only<roll_over>(p.run(11));
  REQUIRE(rolls.size() == 2);
  for (const auto& ro : rolls) p.finish_roll(ro, p.r->reading().at(ro.group).start, 12);
  auto created = only<create_task>(p.run(13));
  REQUIRE(created.size() == 2);
  CHECK(created[0].spec.start == offsets({{"0", 1000}, {"2", 1000}, {"4", 5}}));
  CHECK(created[1].spec.start == offsets({{"1", 1000}, {"3", 1000}, {"5", 5}}));
}

TEST_CASE(
    "hard reset: delete the row, kill reading groups, start again per "
    "useEarliestOffset") {
  planner p{make_spec(R"("taskCount":2)")};
  p.commit(p.all(300));
  auto created = only<create_task>(p.run_and_start(0));
  auto out = p.r->reset(at(1));
  CHECK(only<delete_offsets>(out).size() == 1);
  CHECK(only<kill_task>(out).size() == 2);
  CHECK(p.r->reading().empty());
  p.row.reset();  // the actor deleted it
  auto again = only<create_task>(p.run(2));
  REQUIRE(again.size() == 2);
  CHECK(again[0].spec.start == offsets({{"0", 1000}, {"2", 1000}}));
}

TEST_CASE(
    "resetOffsets: merge into the row, restart only the groups of the given partitions") {
  planner p{make_spec(R"("taskCount":2)")};
  p.row = committed_offsets{"kafka",
                            "wiki",
                            offsets({{"0", 0}, {"1", 10}, {"2", 20}, {"3", 40}}),
                            std::nullopt,
                            {}};
  auto created = only<create_task>(p.run_and_start(0));
  auto out = p.r->reset_offsets(offsets({{"0", 100}, {"2", 650}}), at(1));
  auto edits = only<edit_offsets>(out);
  REQUIRE(edits.size() == 1);
  CHECK(edits[0].set == offsets({{"0", 100}, {"2", 650}}));
  CHECK(edits[0].drop.empty());
  auto kills = only<kill_task>(out);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task_id == created[0].spec.id);  // group 0 owns partitions 0 and 2
  p.commit(edits[0].set);                         // what the store does
  CHECK(p.row->offsets == offsets({{"0", 100}, {"1", 10}, {"2", 650}, {"3", 40}}));

  auto again = only<create_task>(p.run(2));
  REQUIRE(again.size() == 1);
  CHECK(again[0].spec.start == offsets({{"0", 100}, {"2", 650}}));
}

TEST_CASE("terminate: every reading group publishes, nothing is created, then stopped") {
  planner p{make_spec(R"("taskCount":2,"replicas":2)")};
  p.run(0);
  for (const auto& [_, g] : p.r->reading())
    for (const auto& [id, t] : g.tasks)
      if (id == g.tasks.begin()->first) p.r->task_started(id, at(0));
  p.r->set_stopping();
  auto out = p.run(1);
  auto rolls = only<roll_over>(out);
  CHECK(rolls.size() == 2);
  CHECK(only<kill_task>(out).size() == 2);  // replicas that never started
  CHECK(only<create_task>(out).empty());
  CHECK_FALSE(p.r->stopped());
  for (const auto& ro : rolls) p.finish_roll(ro, p.all(1000), 2);
  CHECK(p.r->stopped());
  CHECK(p.r->state() == detailed_state::stopping);
}

TEST_CASE("bounded: groups read a fixed range and the supervisor completes") {
  planner p{make_spec(R"("taskCount":2,"boundedStreamConfig":{
      "startSequenceNumbers":{"0":10,"1":20},"endSequenceNumbers":{"0":30,"1":20}})")};
  auto created = only<create_task>(p.run_and_start(0));
  // Partition 1 is an empty range: only group 0 reads.
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == offsets({{"0", 10}}));
  CHECK(created[0].spec.end == offsets({{"0", 30}}));
  CHECK(created[0].spec.bounded.has_value());
  p.r->task_finished(created[0].spec.id, true, "", at(5));
  p.row = committed_offsets{
      "kafka", "wiki", offsets({{"0", 30}}), created[0].spec.bounded, {}};
  CHECK(only<create_task>(p.run(6)).empty());
  CHECK(p.r->state() == detailed_state::completed);
  CHECK(is_healthy(p.r->state()));
  // Done: no lag, though the stream (latest 1000 on 4 partitions) went on.
  auto s = p.r->status(at(6));
  REQUIRE(s.aggregate_lag);
  CHECK(*s.aggregate_lag == 0);
  CHECK(*s.minimum_lag == offsets({{"0", 0}, {"1", 0}}));
}

TEST_CASE("bounded: lag counts to the end of the range, not to the stream's latest") {
  planner p{make_spec(R"("taskCount":1,"boundedStreamConfig":{
      "startSequenceNumbers":{"0":10},"endSequenceNumbers":{"0":30}})")};
  auto created = only<create_task>(p.run_and_start(0));
  REQUIRE(created.size() == 1);
  p.r->task_offsets(created[0].spec.id, offsets({{"0", 25}}));
  auto s = p.r->status(at(1));
  REQUIRE(s.aggregate_lag);
  CHECK(*s.aggregate_lag == 5);
  REQUIRE(s.active_tasks.size() == 1);
  CHECK(*s.active_tasks[0].lag == offsets({{"0", 5}}));
}

TEST_CASE("bounded: a row from another bounded range refuses to start") {
  planner p{make_spec(R"("boundedStreamConfig":{
      "startSequenceNumbers":{"0":10},"endSequenceNumbers":{"0":30}})")};
  p.row = committed_offsets{"kafka",
                            "wiki",
                            offsets({{"0", 50}}),
                            bounded_range{offsets({{"0", 40}}), offsets({{"0", 60}})},
                            {}};
  CHECK(only<create_task>(p.run(1)).empty());
  auto errors = p.r->status(at(1)).recent_errors;
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message.find("different boundedStreamConfig") != std::string::npos);
}

TEST_CASE("bounded: nothing to read completes at once") {
  planner p{make_spec(R"("boundedStreamConfig":{
      "startSequenceNumbers":{"0":10},"endSequenceNumbers":{"0":10}})")};
  CHECK(p.run(1).empty());
  CHECK(p.r->state() == detailed_state::completed);
}

TEST_CASE(
    "idle: no new data and no lag for inactiveAfterMillis -> IDLE, new data -> RUNNING") {
  planner p{make_spec(
      R"("taskDuration":"PT10S","idleConfig":{"enabled":true,"inactiveAfterMillis":20000})")};
  p.commit(p.all(1000));
  auto first = only<create_task>(p.run_and_start(0));
  p.r->task_offsets(first[0].spec.id, p.all(1000));
  auto rolls = only<roll_over>(p.run(10));
  CHECK(p.r->state() == detailed_state::running);
  p.finish_roll(rolls[0], p.all(1000), 10);
  p.r->task_finished(first[0].spec.id, true, "", at(11));
  auto second = only<create_task>(p.run_and_start(15));  // not idle yet
  REQUIRE(second.size() == 1);
  p.r->task_offsets(second[0].spec.id, p.all(1000));
  p.run(21);
  CHECK(p.r->state() == detailed_state::idle);
  CHECK(is_healthy(p.r->state()));
  // The reading group finishes its duration; no group replaces it.
  rolls = only<roll_over>(p.run(25));
  REQUIRE(rolls.size() == 1);
  p.finish_roll(rolls[0], p.all(1000), 25);
  p.r->task_finished(second[0].spec.id, true, "", at(26));
  CHECK(only<create_task>(p.run(27)).empty());
  CHECK(p.r->state() == detailed_state::idle);
  p.latest = 1010;
  CHECK(only<create_task>(p.run(30)).size() == 1);
  CHECK(p.r->state() == detailed_state::running);
}

}  // namespace sv::test

namespace sv::test {

TEST_CASE("resetOffsets body: Druid's shape, aliases and errors") {
  auto spec = make_spec();
  struct body_case {
    const char* name;
    const char* body;
    std::optional<offset_map> expect;
    const char* error;
  };
  for (
      const auto& c : std::vector<body_case>{
          {"the docs' example",
           R"({"type":"kafka","partitions":{"type":"end","stream":"wiki","partitionOffsetMap":{"0":100,"2":650}}})",
           offsets({{"0", 100}, {"2", 650}}), ""},
          {"aliases",
           R"({"type":"kafka","partitions":{"type":"end","topic":"wiki","partitionSequenceNumberMap":{"1":5}}})",
           offsets({{"1", 5}}), ""},
          {"wrong type",
           R"({"type":"kinesis","partitions":{"type":"end","stream":"wiki","partitionOffsetMap":{}}})",
           std::nullopt, "does not match required, found instance of [kinesis]"},
          {"start sequence numbers",
           R"({"type":"kafka","partitions":{"type":"start","stream":"wiki","partitionOffsetMap":{"0":1}}})",
           std::nullopt, "Sequence numbers can only be of type[end], but found[start]"},
          {"other stream",
           R"({"type":"kafka","partitions":{"type":"end","stream":"other","partitionOffsetMap":{"0":1}}})",
           std::nullopt, "Stream[other] doesn't exist in the supervisor[wiki]"},
          {"not an object", "[]", std::nullopt, "Reset dataSourceMetadata is required"},
          {"negative offset",
           R"({"type":"kafka","partitions":{"type":"end","stream":"wiki","partitionOffsetMap":{"0":-1}}})",
           std::nullopt, "must not be negative"},
      }) {
    CAPTURE(std::string{c.name});
    auto r = parse_reset_offsets(*json::parse(c.body), spec);
    if (c.expect) {
      REQUIRE(r);
      CHECK(*r == *c.expect);
    } else {
      REQUIRE_FALSE(r);
      CHECK(error_message(r.error()).find(c.error) != std::string::npos);
    }
  }
}

}  // namespace sv::test
