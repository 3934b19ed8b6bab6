// Partition groups, the state manager's rules, and the status report.

#include "core/supervisor/partition_groups.hpp"
#include "core/supervisor/state_manager.hpp"
#include "tests/core/supervisor/planner_fixture.hpp"

namespace sv::test {

TEST_CASE("partition groups: partition % taskCount, a stable hash for topic:partition") {
  struct group_case {
    const char* partition;
    int32_t task_count;
    int32_t group;
  };
  for (const auto& c : std::vector<group_case>{{"0", 2, 0},
                                               {"1", 2, 1},
                                               {"7", 2, 1},
                                               {"7", 3, 1},
                                               {"12", 5, 2},
                                               {"3", 1, 0}}) {
    CAPTURE(c.partition);
    CHECK(group_of(c.partition, c.task_count) == c.group);
  }
  auto a = group_of("clicks:3", 4);
  CHECK(a == group_of("clicks:3", 4));
  CHECK(a >= 0);
  CHECK(a < 4);
  auto groups = partition_groups({"0", "1", "2", "3", "4"}, 2);
  CHECK(groups.at(0) == std::vector<partition_id>{"0", "2", "4"});
  CHECK(groups.at(1) == std::vector<partition_id>{"1", "3"});
}

// One step of a state-manager script.
enum class step { good_run, stream_error_run, error_run, task_ok, task_failed };

void apply(state_manager& m, step s, int i) {
  switch (s) {
    case step::good_run:
      m.run_finished(false);
      break;
    case step::stream_error_run:
      m.record_error(at(i), "StreamException", "unreachable", true);
      m.run_finished(false);
      break;
    case step::error_run:
      m.record_error(at(i), "ISE", "store down", false);
      m.run_finished(false);
      break;
    case step::task_ok:
      m.task_succeeded();
      m.run_finished(false);
      break;
    case step::task_failed:
      m.task_failed();
      m.run_finished(false);
      break;
  }
}

TEST_CASE("state manager: Druid's transitions and thresholds") {
  using enum step;
  using ds = detailed_state;
  struct state_case {
    const char* name;
    std::vector<step> script;
    ds expect;
  };
  for (const auto& c : std::vector<state_case>{
           {"first good run", {good_run}, ds::running},
           {"never reached the stream",
            {stream_error_run, stream_error_run, stream_error_run},
            ds::unable_to_connect_to_stream},
           {"two failures stay in a first-run state",
            {stream_error_run, stream_error_run},
            ds::connecting_to_stream},

           {"lost contact after a success",
            {good_run, stream_error_run, stream_error_run, stream_error_run},
            ds::lost_contact_with_stream},
           {"other errors: unhealthy supervisor",
            {good_run, error_run, error_run, error_run},
            ds::unhealthy_supervisor},
           {"recovery needs healthinessThreshold good runs",
            {good_run, stream_error_run, stream_error_run, stream_error_run, good_run,
             good_run},
            ds::lost_contact_with_stream},
           {"recovered after three good runs",
            {good_run, stream_error_run, stream_error_run, stream_error_run, good_run,
             good_run, good_run},
            ds::running},
           {"three failed tasks",
            {good_run, task_failed, task_failed, task_failed},
            ds::unhealthy_tasks},
           {"a success breaks the failed-task streak",
            {good_run, task_failed, task_failed, task_ok, task_failed},
            ds::running},
           {"unhealthy tasks until three successes",
            {good_run, task_failed, task_failed, task_failed, task_ok, task_ok},
            ds::unhealthy_tasks},
           {"healthy tasks again",
            {good_run, task_failed, task_failed, task_failed, task_ok, task_ok, task_ok},
            ds::running},
       }) {
    CAPTURE(std::string{c.name});
    state_manager m;
    int i = 0;
    for (auto s : c.script) {
      m.maybe_set(ds::connecting_to_stream);
      apply(m, s, i++);
    }
    CHECK(to_string(m.state()) == to_string(c.expect));
  }
}

TEST_CASE("state manager: STOPPING is final, recentErrors are capped") {
  state_manager m{state_thresholds{3, 3, 3, 3, 2}};
  for (int i = 0; i < 5; ++i)
    m.record_error(at(i), "ISE", "e" + std::to_string(i), false);
  REQUIRE(m.recent_errors().size() == 2);
  CHECK(m.recent_errors().front().message == "e3");
  m.stopping();
  m.run_finished(false);
  m.maybe_set(detailed_state::running);
  CHECK(m.state() == detailed_state::stopping);
}

TEST_CASE("state manager: a task's retried problem is shown without failing runs") {
  state_manager m{state_thresholds{1, 1, 1, 1, 3}};
  m.run_finished(false);
  REQUIRE(m.state() == detailed_state::running);
  for (int i = 0; i < 4; ++i) {
    m.note_error(at(i), "TaskRetry",
                 "task [t]: building segments failed " + std::to_string(i));
    m.run_finished(false);
  }
  CHECK(m.state() == detailed_state::running);
  REQUIRE(m.recent_errors().size() == 3);
  CHECK(m.recent_errors().back().exception_class == "TaskRetry");
  CHECK(m.recent_errors().back().message == "task [t]: building segments failed 3");
}

TEST_CASE("status: tasks with offsets and lag, publishing tasks, aggregate lag") {
  planner p{
      make_spec(R"("taskCount":2,"taskDuration":"PT60S","completionTimeout":"PT10M")")};
  p.commit(p.all(900));
  auto created = only<create_task>(p.run_and_start(0));
  p.r->task_offsets(created[0].spec.id, offsets({{"0", 950}, {"2", 990}}));
  p.r->task_offsets(created[1].spec.id, offsets({{"1", 960}, {"3", 970}}));
  auto s = p.r->status(at(20));
  CHECK(s.id == "wiki");
  CHECK(s.stream == "wiki");
  CHECK(s.partitions == 4);
  CHECK(s.duration_seconds == 60);
  REQUIRE(s.active_tasks.size() == 2);
  const auto& t = s.active_tasks[0];
  CHECK(t.starting_offsets == offsets({{"0", 900}, {"2", 900}}));
  CHECK(t.current_offsets == offsets({{"0", 950}, {"2", 990}}));
  CHECK(t.remaining_seconds == 40);
  CHECK(t.lag == offsets({{"0", 50}, {"2", 10}}));
  CHECK(s.latest_offsets == p.all(1000));
  CHECK(s.minimum_lag == offsets({{"0", 50}, {"1", 40}, {"2", 10}, {"3", 30}}));
  CHECK(s.aggregate_lag == 130);
  CHECK(s.offsets_last_updated == at(0));

  auto rolls = only<roll_over>(p.run(60));
  p.finish_roll(rolls[0], offsets({{"0", 1000}, {"2", 1000}}), 60);
  s = p.r->status(at(120));
  REQUIRE(s.publishing_tasks.size() == 1);
  CHECK(s.publishing_tasks[0].id == created[0].spec.id);
  CHECK(s.publishing_tasks[0].remaining_seconds == 540);
  auto j = to_json(s);
  CHECK(j.find("publishingTasks")->as_array()[0].find("type")->as_string() ==
        "PUBLISHING");
  CHECK(j.find("detailedState")->as_string() == "RUNNING");
}

TEST_CASE("status: no latest offsets yet -> lag fields are null") {
  planner p{make_spec()};
  auto s = p.r->status(at(0));
  CHECK_FALSE(s.latest_offsets);
  CHECK_FALSE(s.aggregate_lag);
  CHECK(s.state == detailed_state::pending);
  auto j = to_json(s);
  CHECK(j.find("aggregateLag")->is_null());
}

}  // namespace sv::test
