// Failover: a new leader's supervisor adopts the former leader's running
// tasks when they match, and stops the rest (Druid's discoverTasks).

#include "tests/core/supervisor/planner_fixture.hpp"

namespace sv::test {

namespace {

// The tasks a former leader's supervisor of `spec` created and started, as
// they describe themselves.
std::vector<discovered_task> former_tasks(const supervisor_spec& spec, int64_t committed,
                                          int32_t incarnation = 7) {
  reconciler_config cfg;
  cfg.incarnation = static_cast<uint64_t>(incarnation);
  planner old{spec, cfg};
  old.commit(old.all(committed));
  std::vector<discovered_task> out;
  for (const auto& c : only<create_task>(old.run_and_start(1)))
    out.push_back({c.spec, {c.spec.start}, std::nullopt, at(1)});
  return out;
}

}  // namespace

TEST_CASE("adopt: matching tasks are kept, nothing is created, the run goes on") {
  auto spec = make_spec(R"("taskCount":2,"replicas":2)");
  auto found = former_tasks(spec, 400);
  REQUIRE(found.size() == 4);
  planner p{spec};
  p.commit(p.all(400));
  p.observe(2);
  auto a = p.r->adopt(found, at(2));
  CHECK(a.acts.empty());
  CHECK(a.reading.size() == 4);
  CHECK(a.publishing.empty());
  for (const auto& t : found) CHECK(p.r->knows_task(t.spec.id));
  // The run creates no task: every group and replica is there.
  auto out = p.run(3);
  CHECK(only<create_task>(out).empty());
  CHECK(only<kill_task>(out).empty());
  CHECK(p.group(0).tasks.size() == 2);
  CHECK(p.group(0).start == offsets({{"0", 400}, {"2", 400}}));
}

TEST_CASE(
    "adopt: a task is stopped when the spec changed, its partitions moved, or the "
    "row is elsewhere") {
  auto spec = make_spec(R"("taskCount":2)");
  SUBCASE("another spec") {
    auto found =
        former_tasks(make_spec(R"("taskCount":2,"useEarliestOffset":true)"), 400);
    planner p{spec};
    p.commit(p.all(400));
    p.observe(2);
    auto a = p.r->adopt(found, at(2));
    CHECK(a.reading.empty());
    REQUIRE(only<kill_task>(a.acts).size() == 2);
    CHECK(only<kill_task>(a.acts)[0].reason.find("spec differs") != std::string::npos);
    CHECK(only<create_task>(p.run(3)).size() == 2);
  }
  SUBCASE("another task count: the partitions belong to other groups") {
    auto found = former_tasks(make_spec(R"("taskCount":1)"), 400);
    planner p{make_spec(R"("taskCount":2)")};
    p.commit(p.all(400));
    p.observe(2);
    // taskCount alone does not make the work differ, the partition map does.
    auto a = p.r->adopt(found, at(2));
    REQUIRE(only<kill_task>(a.acts).size() == 1);
    CHECK(only<kill_task>(a.acts)[0].reason.find("other groups") != std::string::npos);
  }
  SUBCASE("the row moved past every checkpoint") {
    auto found = former_tasks(spec, 400);
    planner p{spec};
    p.commit(p.all(700));
    p.observe(2);
    auto a = p.r->adopt(found, at(2));
    REQUIRE(only<kill_task>(a.acts).size() == 2);
    CHECK(only<kill_task>(a.acts)[0].reason.find("checkpoints") != std::string::npos);
    // New groups start from the row.
    auto created = only<create_task>(p.run(3));
    REQUIRE(created.size() == 2);
    CHECK(created[0].spec.start == offsets({{"0", 700}, {"2", 700}}));
  }
}

TEST_CASE(
    "adopt: a publishing task joins a publishing group; the next group starts at its "
    "end") {
  auto spec = make_spec(R"("taskCount":1)");
  auto found = former_tasks(spec, 400);
  REQUIRE(found.size() == 1);
  found[0].end = found[0].spec.start;
  for (auto& [_, o] : *found[0].end) o = 650;
  planner p{spec};
  p.commit(p.all(400));
  p.observe(2);
  auto a = p.r->adopt(found, at(2));
  CHECK(a.acts.empty());
  CHECK(a.publishing == std::vector<std::string>{found[0].spec.id});
  REQUIRE(p.r->publishing().at(0).size() == 1);
  auto created = only<create_task>(p.run(3));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == p.all(650));
  // Its success is its group's publish.
  p.commit(p.all(650));
  p.r->task_finished(found[0].spec.id, true, "", at(4));
  bool done = p.r->publishing().count(0) == 0 || p.r->publishing().at(0).empty();
  CHECK(done);
}

TEST_CASE("adopt: replicas that disagree on the start are not both kept") {
  auto spec = make_spec(R"("taskCount":1,"replicas":2)");
  auto found = former_tasks(spec, 400);
  REQUIRE(found.size() == 2);
  found[1].spec.start.begin()->second = 399;
  found[1].sequence_starts = {found[1].spec.start};
  planner p{spec};
  p.observe(2);  // no row yet: nothing to compare with
  auto a = p.r->adopt(found, at(2));
  CHECK(a.reading.size() == 1);
  REQUIRE(only<kill_task>(a.acts).size() == 1);
  CHECK(only<kill_task>(a.acts)[0].task_id == found[1].spec.id);
  // The missing replica is created from the kept group's start.
  auto created = only<create_task>(p.run(3));
  REQUIRE(created.size() == 1);
  CHECK(created[0].spec.start == found[0].spec.start);
}

TEST_CASE(
    "adopt: a reset and backfill cut short after its jump was committed is completed "
    "from the row") {
  const std::string concurrent = R"("context":{"useConcurrentLocks":true},)";
  auto spec = make_spec(R"("taskCount":1,"useEarliestOffset":false)", "", concurrent);
  auto found = former_tasks(spec, 400);
  REQUIRE(found.size() == 1);
  offset_jump jump{offsets({{"0", 450}, {"1", 450}}), offsets({{"0", 900}, {"1", 900}})};

  SUBCASE(
      "the former leader went before sealing: the paused group stops and is sealed "
      "again from the row") {
    planner p{spec};
    p.row = committed_offsets{"kafka", "wiki", p.all(400), std::nullopt, jump};
    p.observe(2);
    auto a = p.r->adopt(found, at(2));
    CHECK(a.reading.empty());
    REQUIRE(only<kill_task>(a.acts).size() == 1);
    CHECK(only<kill_task>(a.acts)[0].reason.find("jump") != std::string::npos);
    // The run seals [row, from) with the jump and reads on from `to`.
    auto created = only<create_task>(p.run(3));
    REQUIRE(created.size() == 2);
    CHECK(created[0].spec.start == offsets({{"0", 400}, {"1", 400}}));
    CHECK(created[0].spec.end == jump.from);
    CHECK(created[0].spec.commit_as == jump.to);
    CHECK(created[1].spec.start ==
          offsets({{"0", 900}, {"1", 900}, {"2", 400}, {"3", 400}}));
  }
  SUBCASE(
      "the former leader sealed the group: it publishes, the next group starts at "
      "the jump's end") {
    found[0].end = offsets({{"0", 450}, {"1", 450}, {"2", 470}, {"3", 470}});
    planner p{spec};
    p.row = committed_offsets{"kafka", "wiki", p.all(400), std::nullopt, jump};
    p.observe(2);
    auto a = p.r->adopt(found, at(2));
    CHECK(a.acts.empty());
    CHECK(a.publishing == std::vector<std::string>{found[0].spec.id});
    auto created = only<create_task>(p.run(3));
    REQUIRE(created.size() == 1);
    CHECK(created[0].spec.start ==
          offsets({{"0", 900}, {"1", 900}, {"2", 470}, {"3", 470}}));
  }
}

}  // namespace sv::test
