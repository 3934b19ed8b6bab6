// Reset to latest and backfill, the planner's part: validation, the groups to
// pause, P and L, sealing, and sealing again from the row after a failure.

#include "core/errc.hpp"
#include "core/supervisor/backfill_spec.hpp"
#include "tests/core/supervisor/planner_fixture.hpp"

namespace sv::test {

namespace {

std::string backfill_io(const std::string& extra = "") {
  return R"("taskCount":2,"taskDuration":"PT1H")" + (extra.empty() ? "" : "," + extra);
}

const std::string concurrent = R"("context":{"useConcurrentLocks":true},)";

// A planner with two groups reading (partitions 0..3), started and running.
planner running_planner(const std::string& extra = "") {
  planner p{make_spec(backfill_io(extra), "", concurrent)};
  p.commit(p.all(100));
  p.run_and_start(0);
  p.run(1);
  return p;
}

}  // namespace

TEST_CASE("backfill: Druid's validation") {
  struct bad_case {
    const char* name;
    std::string io;
    std::string top;
    const char* message;
  };
  for (
      const auto& c : std::vector<bad_case>{
          {"earliest", backfill_io(R"("useEarliestOffset":true)"), concurrent,
           "not supported when useEarliestOffset is true"},
          {"no concurrent locks", backfill_io(), "", "useConcurrentLocks"},
          {"bounded",
           backfill_io(
               R"("boundedStreamConfig":{"startSequenceNumbers":{"0":1},"endSequenceNumbers":{"0":5}})"),
           concurrent, "bounded supervisor"},
      }) {
    CAPTURE(std::string{c.name});
    planner p{make_spec(c.io, "", c.top)};
    p.run_and_start(0);
    p.run(1);
    auto r = p.r->begin_backfill(at(2));
    REQUIRE_FALSE(r);
    CHECK(error_message(r.error()).find(c.message) != std::string::npos);
  }
  planner fresh{make_spec(backfill_io(), "", concurrent)};
  auto r = fresh.r->begin_backfill(at(0));  // PENDING: no run yet
  REQUIRE_FALSE(r);
  CHECK(error_message(r.error()).find("must be in a RUNNING state") != std::string::npos);
}

TEST_CASE(
    "backfill: pause all, P = max read, L = latest; sealed groups jump the row; new "
    "groups start at L") {
  auto p = running_planner();
  auto plan = p.r->begin_backfill(at(2));
  REQUIRE(plan);
  REQUIRE(plan->groups.size() == 2);
  CHECK(plan->unread.empty());
  // While the conversation runs nothing is created or rolled.
  CHECK(only<create_task>(p.run(3)).empty());
  std::map<int32_t, offset_map> paused{{0, offsets({{"0", 150}, {"2", 160}})},
                                       {1, offsets({{"1", 170}, {"3", 180}})}};
  p.latest = 5000;
  auto range = p.r->backfill_range(paused, p.all(5000));
  CHECK(range.start == offsets({{"0", 150}, {"1", 170}, {"2", 160}, {"3", 180}}));
  CHECK(range.end == p.all(5000));
  CHECK(range.jump().from == range.start);
  auto acts = p.r->seal_backfill(paused, range, at(4));
  auto seals = only<seal_group>(acts);
  REQUIRE(seals.size() == 2);
  CHECK(seals[0].end == offsets({{"0", 150}, {"2", 160}}));
  CHECK(seals[0].commit_as == offsets({{"0", 5000}, {"2", 5000}}));
  CHECK(only<create_task>(acts).empty());
  CHECK(p.r->publishing().at(0).size() == 1);
  // The next run starts both groups at L while the sealed ones publish.
  auto created = only<create_task>(p.run(5));
  REQUIRE(created.size() == 2);
  CHECK(created[0].spec.start == offsets({{"0", 5000}, {"2", 5000}}));
  CHECK(created[1].spec.start == offsets({{"1", 5000}, {"3", 5000}}));
  CHECK(p.r->predecessor_publishing(0, {"0"}));
}

TEST_CASE(
    "backfill: a group that never started is dropped; its partitions jump with an "
    "offsets-only task") {
  planner p{make_spec(backfill_io(), "", concurrent)};
  p.commit(p.all(100));
  auto created = only<create_task>(p.run(0));
  p.r->task_started(created[1].spec.id, at(0));  // group 1 runs, group 0 waits for a slot
  p.run(1);
  auto plan = p.r->begin_backfill(at(2));
  REQUIRE(plan);
  REQUIRE(plan->groups.size() == 1);
  CHECK(plan->groups[0].group == 1);
  auto kills = only<kill_task>(plan->acts);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task_id == created[0].spec.id);
  CHECK(plan->unread == offsets({{"0", 100}, {"2", 100}}));
  std::map<int32_t, offset_map> paused{{1, offsets({{"1", 120}, {"3", 130}})}};
  auto range = p.r->backfill_range(paused, p.all(900));
  auto acts = p.r->seal_backfill(paused, range, at(3));
  auto jumps = only<create_task>(acts);
  REQUIRE(jumps.size() == 1);
  CHECK(jumps[0].spec.start == offsets({{"0", 100}, {"2", 100}}));
  CHECK(jumps[0].spec.end == offsets({{"0", 100}, {"2", 100}}));
  CHECK(jumps[0].spec.commit_as == offsets({{"0", 900}, {"2", 900}}));
  auto next = only<create_task>(p.run(4));
  REQUIRE(next.size() == 2);
  for (const auto& c : next)
    for (const auto& [_, o] : c.spec.start) CHECK(o == 900);
}

TEST_CASE("backfill: a roll-over in flight defers the call; abort lets groups read on") {
  auto p = running_planner();
  p.r->handoff({0});
  auto rolls = only<roll_over>(p.run(2));
  REQUIRE(rolls.size() == 1);
  auto busy = p.r->begin_backfill(at(2));
  REQUIRE_FALSE(busy);
  CHECK(is(busy.error(), errc::unavailable));
  p.finish_roll(rolls[0], offsets({{"0", 110}, {"2", 110}}), 3);
  p.run_and_start(4);
  auto plan = p.r->begin_backfill(at(5));
  REQUIRE(plan);
  CHECK(p.r->backfill_in_progress());
  p.r->abort_backfill();
  CHECK_FALSE(p.r->backfill_in_progress());
  p.r->handoff({1});
  CHECK(only<roll_over>(p.run(6)).size() == 1);  // groups are no longer held
}

TEST_CASE(
    "backfill: a sealed group that fails is sealed again from the row; successors "
    "restart at L") {
  auto p = running_planner();
  REQUIRE(p.r->begin_backfill(at(2)));
  std::map<int32_t, offset_map> paused{{0, offsets({{"0", 150}, {"2", 150}})},
                                       {1, offsets({{"1", 150}, {"3", 150}})}};
  auto range = p.r->backfill_range(paused, p.all(800));
  auto seals = only<seal_group>(p.r->seal_backfill(paused, range, at(3)));
  REQUIRE(seals.size() == 2);
  // What the store now holds: the row at 100 with the jump 150 -> 800.
  p.row->jump = range.jump();
  auto successors = only<create_task>(p.run_and_start(4));
  REQUIRE(successors.size() == 2);
  // Group 0's sealed task dies before publishing.
  auto out = p.r->task_finished(seals[0].tasks[0], false, "killed", at(5));
  auto kills = only<kill_task>(out);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task_id == successors[0].spec.id);
  auto again = only<create_task>(p.run(6));
  REQUIRE(again.size() == 2);
  // One task reads [row, P) and jumps the row to L ...
  CHECK(again[0].spec.start == offsets({{"0", 100}, {"2", 100}}));
  CHECK(again[0].spec.end == offsets({{"0", 150}, {"2", 150}}));
  CHECK(again[0].spec.commit_as == offsets({{"0", 800}, {"2", 800}}));
  // ... and the reading group starts at L, never inside [P, L).
  CHECK(again[1].spec.start == offsets({{"0", 800}, {"2", 800}}));
  CHECK_FALSE(again[1].spec.end);
}

TEST_CASE(
    "backfill: a group whose tasks vanished mid-conversation is sealed from the row") {
  auto p = running_planner();
  auto plan = p.r->begin_backfill(at(2));
  REQUIRE(plan);
  // Group 1's only task dies between the pause and the seal.
  p.r->task_finished(plan->groups[1].tasks[0], false, "crashed", at(2));
  std::map<int32_t, offset_map> paused{{0, offsets({{"0", 150}, {"2", 150}})},
                                       {1, offsets({{"1", 170}, {"3", 170}})}};
  auto range = p.r->backfill_range(paused, p.all(900));
  auto acts = p.r->seal_backfill(paused, range, at(3));
  CHECK(only<seal_group>(acts).size() == 1);
  p.row->jump = range.jump();
  auto created = only<create_task>(p.run(4));
  REQUIRE(created.size() == 3);  // sealed [100, 170) for group 1, two reading groups at L
  bool sealed = false;
  for (const auto& c : created)
    if (c.spec.end) {
      sealed = true;
      CHECK(c.spec.start == offsets({{"1", 100}, {"3", 100}}));
      CHECK(c.spec.commit_as == offsets({{"1", 900}, {"3", 900}}));
    } else {
      for (const auto& [_, o] : c.spec.start) CHECK(o == 900);
    }
  CHECK(sealed);
}

TEST_CASE("backfill: after a restart the row's jump is honoured before anything reads") {
  planner p{make_spec(backfill_io(), "", concurrent)};
  p.row = committed_offsets{"kafka", "wiki", p.all(100), std::nullopt,
                            offset_jump{offsets({{"0", 150}}), offsets({{"0", 900}})}};
  auto created = only<create_task>(p.run(0));
  REQUIRE(created.size() == 3);
  CHECK(created[0].spec.start == offsets({{"0", 100}}));
  CHECK(created[0].spec.end == offsets({{"0", 150}}));
  CHECK(created[0].spec.commit_as == offsets({{"0", 900}}));
  CHECK(created[1].spec.start == offsets({{"0", 900}, {"2", 100}}));
}

}  // namespace sv::test

namespace sv::test {

TEST_CASE(
    "backfill spec: the source with a new id, a bounded range and maybe a taskCount") {
  auto source =
      make_spec(R"("taskCount":4,"taskDuration":"PT5M")", R"("maxRowsPerSegment":1234)",
                R"("context":{"useConcurrentLocks":true},)");
  std::mt19937_64 rng{7};
  auto id = backfill_id("wiki", rng);
  CHECK(id.rfind("wiki_backfill_", 0) == 0);
  CHECK(id.size() == std::string{"wiki_backfill_"}.size() + 8);
  for (char c : id.substr(14)) CHECK((c >= 'a' && c <= 'p'));
  bounded_range range{offsets({{"0", 10}, {"1", 20}}), offsets({{"0", 100}, {"1", 200}})};
  auto b = make_backfill_spec(source, id, range, 2);
  REQUIRE(b);
  CHECK(b->id == id);
  CHECK(b->data_source() == "wiki");
  CHECK(b->io.task_count == 2);
  CHECK(b->io.task_duration == source.io.task_duration);
  CHECK(b->tuning.max_rows_per_segment == 1234);
  CHECK(b->uses_concurrent_locks());
  REQUIRE(b->io.bounded);
  std::vector<problem> ps;
  CHECK(bounded_offsets(*b->io.bounded, "", ps) == range);
  auto same_count = make_backfill_spec(source, id, range, 0);
  REQUIRE(same_count);
  CHECK(same_count->io.task_count == 4);
}

}  // namespace sv::test

namespace sv::test {

TEST_CASE(
    "bounded: a range partly gone from retention is reported exactly, then read on") {
  planner p{make_spec(R"("taskCount":1,"boundedStreamConfig":{
      "startSequenceNumbers":{"0":100,"1":100},"endSequenceNumbers":{"0":500,"1":500}})")};
  p.earliest = 250;
  p.partitions = 2;
  auto created = only<create_task>(p.run(1));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == offsets({{"0", 250}, {"1", 250}}));
  CHECK(created[0].spec.end == offsets({{"0", 500}, {"1", 500}}));
  auto s = p.r->status(at(1));
  REQUIRE(s.lost_offsets.size() == 2);
  CHECK(s.lost_offsets.at("0") == std::pair<stream_offset, stream_offset>{100, 250});
  CHECK(s.recent_errors.back().message ==
        "Offsets [100, 250) of partition [1] are no longer in the stream (retention) and "
        "cannot "
        "be ingested");
  auto fresh = p.r->take_new_losses();
  CHECK(fresh.size() == 2);
  CHECK(p.r->take_new_losses().empty());
  CHECK(to_json(s).find("lostOffsets")->find("0")->find("to")->as_int() == 250);
}

TEST_CASE(
    "bounded: a backfill whose committed offset fell behind retention reports and reads "
    "on") {
  planner p{make_spec(R"("taskCount":1,"boundedStreamConfig":{
      "startSequenceNumbers":{"0":100},"endSequenceNumbers":{"0":500}})")};
  p.partitions = 1;
  p.row = committed_offsets{"kafka",
                            "wiki",
                            offsets({{"0", 200}}),
                            bounded_range{offsets({{"0", 100}}), offsets({{"0", 500}})},
                            {}};
  p.earliest = 300;
  auto created = only<create_task>(p.run(1));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == offsets({{"0", 300}}));
  CHECK(p.r->losses().at("0") == std::pair<stream_offset, stream_offset>{200, 300});
}

}  // namespace sv::test
