#include <doctest/doctest.h>

#include "core/errc.hpp"
#include "core/task/sequences.hpp"
#include "core/task/task_spec.hpp"
#include "tests/spec_cases.hpp"

using namespace sv::core;
using namespace sv::core::task;

TEST_CASE(
    "a streaming task: one open sequence, checkpoints split it, the final end stops it") {
  sequences s{{{"0", 100}, {"1", 200}}};
  CHECK(s.route("0", 100) == 0);
  CHECK(s.route("0", 99) == -1);
  CHECK(s.route("7", 5) == -1);
  s.advance("0", 150);
  s.advance("1", 260);
  CHECK(s.ready().empty());
  // Checkpoint at E = {0:160, 1:260}: partition 0 still owes 150..159 to seq 0.
  REQUIRE_FALSE(s.set_end({{"0", 160}, {"1", 260}}, false));
  CHECK(s.all().size() == 2);
  CHECK(s.route("0", 155) == 0);
  CHECK(s.route("0", 160) == 1);
  CHECK(s.route("1", 260) == 1);
  CHECK(s.ready().empty());
  s.advance("0", 160);
  CHECK(s.ready() == std::vector<int32_t>{0});
  s.mark_published(0);
  CHECK(s.ready().empty());
  CHECK_FALSE(s.done());
  // Final end.
  REQUIRE_FALSE(
      s.set_end({{"0", 170}, {"1", 300}}, true, offset_map{{"0", 999}, {"1", 999}}));
  CHECK(s.has_final_end());
  CHECK(s.route("0", 170) == -1);
  CHECK(s.to_read() == offset_map{{"0", 160}, {"1", 260}});
  s.advance("0", 170);
  CHECK(s.to_read() == offset_map{{"1", 260}});
  s.advance("1", 300);
  CHECK(s.to_read().empty());
  REQUIRE(s.ready() == std::vector<int32_t>{1});
  CHECK(*s.all()[1].commit_as == offset_map{{"0", 999}, {"1", 999}});
  s.mark_published(1);
  CHECK(s.done());
}

TEST_CASE("end offsets are validated against the task's position and partitions") {
  sequences s{{{"0", 10}}};
  s.advance("0", 20);
  CHECK(is(s.set_end({{"0", 15}}, true), errc::invalid_input));
  CHECK(is(s.set_end({{"0", 25}, {"9", 1}}, true), errc::invalid_input));
  CHECK(is(s.set_end({}, true), errc::invalid_input));
  REQUIRE_FALSE(s.set_end({{"0", 20}}, true));
  CHECK(is(s.set_end({{"0", 30}}, true), errc::conflict));
  CHECK(s.ready() == std::vector<int32_t>{0});  // already at the end
}

TEST_CASE(
    "a bounded task knows its end from the start; an empty range is complete at once") {
  sequences s{{{"0", 5}, {"1", 7}}, offset_map{{"0", 8}, {"1", 7}}};
  CHECK(s.to_read() == offset_map{{"0", 5}});
  s.advance("0", 8);
  CHECK(s.ready() == std::vector<int32_t>{0});
}

TEST_CASE("task specs round-trip through their JSON payload") {
  task_spec t;
  t.id = "index_kafka_s_abc_xyz";
  t.supervisor_id = "s";
  t.group_id = 3;
  t.base_sequence_name = "index_kafka_s_abc";
  auto r = parse_supervisor_spec(sv::test::base_kafka_spec());
  REQUIRE(r.ok());
  t.spec = *r.spec;
  t.start = {{"0", 5}};
  t.end = offset_map{{"0", 9}};
  t.commit_as = offset_map{{"0", 20}};
  t.bounded = bounded_range{{{"0", 0}}, {{"0", 9}}};
  t.min_message_time = *parse_utc_time("2026-01-01T00:00:00Z");
  auto j = to_json(t);
  CHECK(j.find("type")->as_string() == "index_kafka");
  auto back = task_spec_from_json(*json::parse(j.dump()));
  REQUIRE(back);
  CHECK(to_json(*back) == j);
}
