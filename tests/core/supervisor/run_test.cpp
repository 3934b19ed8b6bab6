// The supervisor run, step by step: start offsets, task groups and replicas,
// roll-over, publishing groups, failed tasks, checkpoints.

#include "tests/core/supervisor/planner_fixture.hpp"

namespace sv::test {

TEST_CASE("run: creates taskCount groups x replicas, starting at the latest offsets") {
  planner p{make_spec(R"("taskCount":2,"replicas":2)")};
  auto out = p.run(10);
  auto created = only<create_task>(out);
  REQUIRE(created.size() == 4);
  for (const auto& c : created) {
    CHECK(c.spec.supervisor_id == "wiki");
    CHECK(c.spec.start.size() == 2);
    for (const auto& [_, o] : c.spec.start) CHECK(o == 1000);
  }
  // Replicas share the start and the sequence name, not the id.
  CHECK(created[0].spec.group_id == created[1].spec.group_id);
  CHECK(created[0].spec.base_sequence_name == created[1].spec.base_sequence_name);
  CHECK(created[0].spec.id != created[1].spec.id);
  CHECK(created[0].spec.start == created[1].spec.start);
  CHECK(created[0].spec.start == offsets({{"0", 1000}, {"2", 1000}}));
  CHECK(created[2].spec.start == offsets({{"1", 1000}, {"3", 1000}}));
  CHECK(p.r->state() == detailed_state::running);
}

TEST_CASE("run: task ids are index_kafka_{id}_{hash}_{random}") {
  planner p{make_spec()};
  auto created = only<create_task>(p.run(1));
  REQUIRE(created.size() == 1);
  const auto& id = created[0].spec.id;
  CHECK(id.rfind("index_kafka_wiki_", 0) == 0);
  CHECK(id.size() == std::string{"index_kafka_wiki_"}.size() + 15 + 1 + 8);
  CHECK(created[0].spec.base_sequence_name == id.substr(0, id.size() - 9));
}

TEST_CASE(
    "run: ids differ between incarnations of one id and between supervisors, and "
    "repeat for the same seed, id and incarnation") {
  auto draw = [](const supervisor_spec& spec, uint64_t incarnation) {
    reconciler_config cfg;
    cfg.incarnation = incarnation;
    planner p{spec, cfg};
    auto created = only<create_task>(p.run(1));
    REQUIRE(created.size() == 1);
    return std::pair{created[0].spec.id, p.r->next_backfill_id()};
  };
  auto wiki = make_spec();
  auto first = draw(wiki, 1), again = draw(wiki, 2), same = draw(wiki, 1);
  CHECK(first.first != again.first);
  CHECK(first.second != again.second);
  CHECK(first == same);
  auto other = make_spec("", "", R"("id":"wiki2",)");
  auto theirs = draw(other, 1);
  CHECK(theirs.second.rfind("wiki2_backfill_", 0) == 0);
  CHECK(theirs.second.substr(15) != first.second.substr(14));
}

TEST_CASE(
    "run: start offsets come from the next group, else the row, else earliest/latest") {
  struct row_case {
    const char* name;
    std::string io;
    std::optional<int64_t> committed;
    int64_t expect;
  };
  for (const auto& c : std::vector<row_case>{
           {"latest by default", "", std::nullopt, 1000},
           {"earliest when asked", R"("useEarliestOffset":true)", std::nullopt, 0},
           {"committed row wins over latest", "", 400, 400},
           {"committed row wins over earliest", R"("useEarliestOffset":true)", 400, 400},
       }) {
    CAPTURE(std::string{c.name});
    planner p{make_spec(c.io)};
    if (c.committed) p.commit(p.all(*c.committed));
    auto created = only<create_task>(p.run(1));
    REQUIRE(created.size() == 1);
    CHECK(created[0].spec.start == p.all(c.expect));
  }
}

TEST_CASE("run: an unavailable committed offset fails the run with Druid's message") {
  planner p{make_spec(R"("taskCount":2)")};
  p.earliest = 500;
  p.commit(offsets({{"0", 100}, {"1", 600}, {"2", 600}, {"3", 600}}));
  auto out = p.run(1);
  auto created = only<create_task>(out);
  // Group 1 (partitions 1, 3) is fine; group 0 cannot start.
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.group_id == 1);
  auto status = p.r->status(at(1));
  REQUIRE(status.recent_errors.size() == 1);
  CHECK(status.recent_errors[0].message ==
        "Previous sequenceNumber [100] is no longer available for partition [0]. You can "
        "clear "
        "the previous sequenceNumber and start reading from a valid message by using the "
        "supervisor's reset API.");
  CHECK(status.recent_errors[0].stream_exception);
  CHECK(only<edit_offsets>(out).empty());
}

TEST_CASE("run: resetOffsetAutomatically drops the unavailable offset and records it") {
  planner p{make_spec(R"("taskCount":1)", R"("resetOffsetAutomatically":true)")};
  p.earliest = 500;
  p.commit(offsets({{"0", 100}, {"1", 600}, {"2", 600}, {"3", 600}}));
  auto out = p.run(1);
  auto edits = only<edit_offsets>(out);
  REQUIRE(edits.size() == 1);
  CHECK(edits[0].drop == std::vector<partition_id>{"0"});
  CHECK(edits[0].set.empty());

  auto created = only<create_task>(out);
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start ==
        offsets({{"0", 1000}, {"1", 600}, {"2", 600}, {"3", 600}}));
  CHECK(p.r->status(at(1)).recent_errors.size() == 1);
}

TEST_CASE("run: skipSequenceNumberAvailabilityCheck trusts the row") {
  planner p{make_spec("", R"("skipSequenceNumberAvailabilityCheck":true)")};
  p.earliest = 500;
  p.commit(p.all(100));
  auto created = only<create_task>(p.run(1));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == p.all(100));
}

TEST_CASE("run: groups are capped by the partition count") {
  planner p{make_spec(R"("taskCount":8)")};
  p.partitions = 3;
  auto created = only<create_task>(p.run(1));
  CHECK(created.size() == 3);
  CHECK(p.r->reading().size() == 3);
}

TEST_CASE("run: message rejection windows become the group's min/max message time") {
  planner p{make_spec(
      R"("lateMessageRejectionPeriod":"PT1H","earlyMessageRejectionPeriod":"PT2H",
                         "taskDuration":"PT30M")")};
  auto created = only<create_task>(p.run(60));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.min_message_time == at(60 - 3600));
  CHECK(created[0].spec.max_message_time == at(60 + 1800 + 7200));

  planner q{make_spec(R"("lateMessageRejectionStartDateTime":"2025-06-01T00:00:00Z")")};
  auto c2 = only<create_task>(q.run(60));
  REQUIRE(c2.size() == 1);
  CHECK(c2[0].spec.min_message_time == parse_utc_time("2025-06-01T00:00:00Z").value());
}

TEST_CASE("run: an existing group only gets missing replicas") {
  planner p{make_spec(R"("replicas":2)")};
  auto first = only<create_task>(p.run_and_start(1));
  REQUIRE(first.size() == 2);
  CHECK(only<create_task>(p.run(2)).empty());
  p.r->task_finished(first[0].spec.id, false, "boom", at(3));
  auto again = only<create_task>(p.run(4));
  REQUIRE(again.size() == 1);
  CHECK(again[0].spec.start == first[1].spec.start);
  CHECK(again[0].spec.base_sequence_name == first[1].spec.base_sequence_name);
}

TEST_CASE(
    "roll-over: not before taskDuration, then pause/end/publish and the next group "
    "starts there") {
  planner p{make_spec(R"("taskCount":2,"taskDuration":"PT10S")")};
  auto created = only<create_task>(p.run_and_start(0));
  REQUIRE(created.size() == 2);
  CHECK(only<roll_over>(p.run(9)).empty());
  auto rolls = only<roll_over>(p.run(10));
  REQUIRE(rolls.size() == 2);
  CHECK(rolls[0].finish);
  CHECK(rolls[0].tasks == std::vector<std::string>{created[0].spec.id});
  // While the conversation runs nothing else happens to these groups.
  CHECK(only<roll_over>(p.run(11)).empty());
  CHECK(only<create_task>(p.run(11)).empty());

  p.finish_roll(rolls[0], offsets({{"0", 1500}, {"2", 1600}}), 12);
  CHECK(p.r->publishing().at(0).size() == 1);
  CHECK(p.r->publishing().at(0)[0].end == offsets({{"0", 1500}, {"2", 1600}}));
  auto next = only<create_task>(p.run(12));
  REQUIRE(next.size() == 1);
  CHECK(next[0].spec.group_id == 0);
  // The next group starts at the end offsets even though the row is still behind.
  CHECK(next[0].spec.start == offsets({{"0", 1500}, {"2", 1600}}));
  CHECK(p.r->predecessor_publishing(0, {"0"}));
  CHECK_FALSE(p.r->predecessor_publishing(1, {"1"}));
}

TEST_CASE("roll-over: stopTaskCount limits how many groups roll at once") {
  planner p{make_spec(R"("taskCount":4,"taskDuration":"PT10S","stopTaskCount":1)")};
  p.run_and_start(0);
  auto rolls = only<roll_over>(p.run(10));
  REQUIRE(rolls.size() == 1);
  p.finish_roll(rolls[0], p.r->reading().at(rolls[0].group).start, 11);
  // One group publishes: no other group may roll until it is done.
  CHECK(only<roll_over>(p.run(12)).empty());
  auto publishing_task = p.r->publishing().at(rolls[0].group)[0].tasks.begin()->first;
  p.r->task_finished(publishing_task, true, "", at(13));
  CHECK(only<roll_over>(p.run(14)).size() == 1);
}

TEST_CASE("roll-over: early handoff ignores taskDuration and stopTaskCount") {
  planner p{make_spec(R"("taskCount":2,"taskDuration":"PT1H","stopTaskCount":1)")};
  p.run_and_start(0);
  p.r->handoff({0, 1, 7});
  auto rolls = only<roll_over>(p.run(5));
  CHECK(rolls.size() == 2);
}

TEST_CASE("roll-over: tasks that never started are killed; an empty group is recreated") {
  planner p{make_spec(R"("replicas":2,"taskDuration":"PT10S")")};
  auto created = only<create_task>(p.run(0));
  p.r->task_started(created[0].spec.id, at(0));  // the replica waits for a slot
  auto out = p.run(10);
  auto kills = only<kill_task>(out);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task_id == created[1].spec.id);
  auto rolls = only<roll_over>(out);
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].tasks == std::vector<std::string>{created[0].spec.id});
}

TEST_CASE(
    "roll-over: a conversation that reaches no task restarts the group from the row") {
  planner p{make_spec(R"("taskDuration":"PT10S")")};
  p.commit(p.all(200));
  auto created = only<create_task>(p.run_and_start(0));
  auto rolls = only<roll_over>(p.run(10));
  REQUIRE(rolls.size() == 1);
  auto out =
      p.r->rolled_over(rolls[0].group, rolls[0].generation, true, std::nullopt, at(11));
  CHECK(only<kill_task>(out).size() == 1);
  CHECK(p.r->reading().empty());
  auto again = only<create_task>(p.run(12));
  REQUIRE(again.size() == 1);
  CHECK(again[0].spec.start == p.all(200));
}

TEST_CASE("publishing: the first replica to succeed wins, the others are stopped") {
  planner p{make_spec(R"("replicas":2,"taskDuration":"PT10S")")};
  auto created = only<create_task>(p.run_and_start(0));
  auto rolls = only<roll_over>(p.run(10));
  p.finish_roll(rolls[0], p.all(1200), 11);
  auto out = p.r->task_finished(created[1].spec.id, true, "", at(20));
  auto kills = only<kill_task>(out);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task_id == created[0].spec.id);
  CHECK(p.r->publishing().empty());
  // The stopped replica's end is not a failure.
  p.r->task_finished(created[0].spec.id, false, "killed", at(21));
  p.run(22);
  CHECK(basic_of(p.r->state()) == basic_state::running);
}

TEST_CASE("publishing: a group whose every task failed is dropped with its successor") {
  planner p{make_spec(R"("taskDuration":"PT10S")")};
  p.commit(p.all(1000));
  auto first = only<create_task>(p.run_and_start(0));
  auto rolls = only<roll_over>(p.run(10));
  p.finish_roll(rolls[0], p.all(1300), 11);
  auto second = only<create_task>(p.run_and_start(11));
  REQUIRE(second.size() == 1);
  CHECK(second[0].spec.start == p.all(1300));
  auto out = p.r->task_finished(first[0].spec.id, false, "publish failed", at(12));
  // The reading successor depends on data that will not be published.
  auto kills = only<kill_task>(out);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task_id == second[0].spec.id);
  CHECK(p.r->reading().empty());
  CHECK(p.r->publishing().empty());
  auto again = only<create_task>(p.run(13));
  REQUIRE(again.size() == 1);
  CHECK(again[0].spec.start == p.all(1000));  // from the row
}

TEST_CASE("publishing: completionTimeout fails the group and every later generation") {
  planner p{make_spec(R"("taskDuration":"PT10S","completionTimeout":"PT30S")")};
  p.commit(p.all(1000));
  auto g1 = only<create_task>(p.run_and_start(0));
  p.finish_roll(only<roll_over>(p.run(10))[0], p.all(1100), 10);
  auto g2 = only<create_task>(p.run_and_start(10));
  // While one group publishes (taskCount 1 = max stops) the next cannot roll
  // on time; an early handoff forces it.
  CHECK(only<roll_over>(p.run(20)).empty());
  p.r->handoff({0});
  p.finish_roll(only<roll_over>(p.run(21))[0], p.all(1200), 21);

  auto g3 = only<create_task>(p.run_and_start(21));
  REQUIRE(p.r->publishing().at(0).size() == 2);
  CHECK(only<kill_task>(p.run(40)).empty());
  auto out = p.run(41);
  auto kills = only<kill_task>(out);
  std::vector<std::string> killed;
  for (const auto& k : kills) killed.push_back(k.task_id);
  std::sort(killed.begin(), killed.end());
  std::vector<std::string> expect{g1[0].spec.id, g2[0].spec.id, g3[0].spec.id};
  std::sort(expect.begin(), expect.end());
  CHECK(killed == expect);
  auto status = p.r->status(at(41));
  REQUIRE_FALSE(status.recent_errors.empty());
  CHECK(status.recent_errors.back().message.find(
            "before the completion timeout elapsed") != std::string::npos);
  // Everything restarts from the row in the same run.
  auto created = only<create_task>(out);
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == p.all(1000));
}

TEST_CASE(
    "failed tasks: a group that lost every task restarts where it started while a "
    "predecessor publishes") {
  planner p{make_spec(R"("taskDuration":"PT10S")")};
  p.commit(p.all(1000));
  p.run_and_start(0);
  p.finish_roll(only<roll_over>(p.run(10))[0], p.all(1100), 10);
  auto second = only<create_task>(p.run_and_start(10));
  p.r->task_finished(second[0].spec.id, false, "crashed", at(11));
  auto again = only<create_task>(p.run(12));
  REQUIRE(again.size() == 1);
  // Not the stale row (1000): the predecessor will commit up to 1100.
  CHECK(again[0].spec.start == p.all(1100));
}

TEST_CASE("failed tasks: without a predecessor the row is the truth") {
  planner p{make_spec()};
  p.latest = 2000;

  p.commit(p.all(1000));
  auto first = only<create_task>(p.run_and_start(0));
  p.commit(p.all(1050));  // an intermediate handoff committed before the crash
  p.r->task_finished(first[0].spec.id, false, "crashed", at(5));
  auto again = only<create_task>(p.run(6));
  REQUIRE(again.size() == 1);
  CHECK(again[0].spec.start == p.all(1050));
}

TEST_CASE(
    "checkpoints: the newest start triggers a non-final roll; replicas carry the list") {
  planner p{make_spec(R"("replicas":2)")};
  auto created = only<create_task>(p.run_and_start(0));
  auto out = p.r->checkpoint_requested(created[0].spec.id, 0, p.all(1000), at(5));
  auto rolls = only<roll_over>(out);
  REQUIRE(rolls.size() == 1);
  CHECK_FALSE(rolls[0].finish);
  CHECK(rolls[0].tasks.size() == 2);
  // The other replica asks too while the conversation runs: nothing more.
  CHECK(p.r->checkpoint_requested(created[1].spec.id, 0, p.all(1000), at(5)).empty());
  p.finish_roll(rolls[0], p.all(1400), 6);
  CHECK(p.group(0).checkpoints.size() == 2);
  // A replica that asks late with the old start: already done.
  CHECK(p.r->checkpoint_requested(created[1].spec.id, 0, p.all(1000), at(7)).empty());
  // An unknown start is an error.
  CHECK(p.r->checkpoint_requested(created[1].spec.id, 0, p.all(3), at(7)).empty());
  CHECK(p.r->status(at(7)).recent_errors.back().message.find(
            "No such previous checkpoint") != std::string::npos);
  // A replacement replica closes its sequences at the group's checkpoints.
  p.r->task_finished(created[1].spec.id, false, "crashed", at(8));
  auto replacement = only<create_task>(p.run(9));
  REQUIRE(replacement.size() == 1);
  CHECK(replacement[0].spec.start == p.all(1000));
  CHECK(replacement[0].spec.checkpoints == std::vector<offset_map>{p.all(1400)});
}

TEST_CASE("checkpoints: requests from publishing or unknown groups are ignored") {
  planner p{make_spec(R"("taskDuration":"PT10S")")};
  auto created = only<create_task>(p.run_and_start(0));
  p.finish_roll(only<roll_over>(p.run(10))[0], p.all(1100), 10);
  CHECK(p.r->checkpoint_requested(created[0].spec.id, 0, p.all(1000), at(11)).empty());
  CHECK(p.r->checkpoint_requested("nope", 3, p.all(1000), at(11)).empty());
}

}  // namespace sv::test

namespace sv::test {

TEST_CASE("run: an unreadable offsets row creates nothing and fails the run") {
  planner p{make_spec()};
  p.observe(1);
  p.r->observe_committed_error("database is locked", at(1));
  CHECK(only<create_task>(p.r->run(at(1))).empty());
  auto errors = p.r->status(at(1)).recent_errors;
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].exception_class == "MetadataStorageException");
  CHECK(only<create_task>(p.run(2)).size() == 1);
}

}  // namespace sv::test

namespace sv::test {

TEST_CASE(
    "run: a committed offset past the latest (topic recreated) is unavailable too") {
  planner p{make_spec("", R"("resetOffsetAutomatically":true)")};
  p.latest = 50;  // the topic was created again and holds 50 records
  p.commit(p.all(1000));
  auto out = p.run(1);
  auto edits = only<edit_offsets>(out);
  REQUIRE(edits.size() == 1);
  CHECK(edits[0].drop.size() == 4);
  auto created = only<create_task>(out);
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == p.all(50));
}

TEST_CASE(
    "run: where a supervisor started at the latest offsets is kept; a group lost before "
    "its first publish starts there again, not at a later latest") {
  planner p{make_spec(R"("taskCount":1)")};
  auto out = p.run_and_start(0);
  auto edits = only<edit_offsets>(out);
  REQUIRE(edits.size() == 1);
  CHECK(edits[0].if_absent == p.all(1000));
  CHECK(edits[0].set.empty());
  CHECK(edits[0].drop.empty());
  auto first = only<create_task>(out);
  REQUIRE(first.size() == 1);
  CHECK(first[0].spec.start == p.all(1000));

  // The store kept it; the task is lost before it published; the stream
  // moved on meanwhile.
  p.row = committed_offsets{"kafka", "wiki", p.all(1000), std::nullopt, {}};
  p.latest = 1500;
  p.r->task_finished(first[0].spec.id, false, "worker lost", at(5));
  auto again = p.run(6);
  auto created = only<create_task>(again);
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == p.all(1000));
  CHECK(only<edit_offsets>(again).empty());
}

TEST_CASE("run: starting at the earliest offsets or from the row records nothing") {
  planner early{make_spec(R"("useEarliestOffset":true)")};
  CHECK(only<edit_offsets>(early.run(0)).empty());
  planner kept{make_spec()};
  kept.commit(kept.all(700));
  CHECK(only<edit_offsets>(kept.run(0)).empty());
}

}  // namespace sv::test
