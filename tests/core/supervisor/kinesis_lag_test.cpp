// Kinesis lag is time: sequence-number differences do not count records, so
// the supervisor reports, idles and scales on milliseconds behind the newest
// record (minimumLagMillis / aggregateLagMillis) and never on records.

#include <doctest/doctest.h>

#include "tests/core/supervisor/planner_fixture.hpp"

using namespace sv::test;

namespace {

supervisor_spec kinesis_spec(const std::string& tuning = "") {
  auto r = parse_supervisor_spec_text(R"({"type":"kinesis","spec":{
    "dataSchema":{"dataSource":"wiki","timestampSpec":{"column":"ts"},
                  "dimensionsSpec":{"dimensions":[]},
                  "granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{"stream":"wiki","endpoint":"http://127.0.0.1:1","taskCount":2,
                "inputFormat":{"type":"json"}},
    "tuningConfig":{"type":"kinesis")" +
                                      tuning + "}}}");
  if (!r.ok()) FAIL("bad test spec: " << describe(r.problems));
  return *r.spec;
}

}  // namespace

TEST_CASE("kinesis: lag is milliseconds behind the newest record, never records") {
  planner p{kinesis_spec()};
  auto created = only<create_task>(p.run_and_start(0));
  REQUIRE(created.size() == 2);
  p.r->task_offsets(created[0].spec.id, offsets({{"0", 400}, {"2", 10}}));
  // Latest is known, time lag not yet: no lag at all (not a difference of
  // sequence numbers).
  auto s = p.r->status(at(1));
  CHECK(s.latest_offsets);
  CHECK_FALSE(s.minimum_lag);
  CHECK_FALSE(s.minimum_lag_millis);
  CHECK_FALSE(p.r->lag());
  for (const auto& t : s.active_tasks) CHECK_FALSE(t.lag);

  p.r->observe_time_lag(offsets({{"0", 1500}, {"1", 0}, {"2", 250}, {"3", -4}}));
  s = p.r->status(at(2));
  CHECK_FALSE(s.minimum_lag);
  CHECK_FALSE(s.aggregate_lag);
  REQUIRE(s.minimum_lag_millis);
  CHECK(*s.minimum_lag_millis == offsets({{"0", 1500}, {"1", 0}, {"2", 250}, {"3", 0}}));
  REQUIRE(s.aggregate_lag_millis);
  CHECK(*s.aggregate_lag_millis == 1750);
  // The autoscaler's lag is the same milliseconds.
  REQUIRE(p.r->lag());
  CHECK(*p.r->lag() == *s.minimum_lag_millis);
}

TEST_CASE("kafka: lag stays in records, with no millisecond fields") {
  planner p{make_spec(R"("taskCount":1,"useEarliestOffset":true)")};
  auto created = only<create_task>(p.run_and_start(0));
  p.r->task_offsets(created[0].spec.id,
                    offsets({{"0", 990}, {"1", 1000}, {"2", 1000}, {"3", 1000}}));
  auto s = p.r->status(at(1));
  REQUIRE(s.aggregate_lag);
  CHECK(*s.aggregate_lag == 10);
  CHECK_FALSE(s.minimum_lag_millis);
  CHECK_FALSE(s.aggregate_lag_millis);
}

TEST_CASE("kinesis: a child shard waits until its parent is read to the end") {
  // Partitions 0..3; 3 was made by splitting 1 (as a split's child it has 1
  // as parent).
  planner p{kinesis_spec()};
  p.r->observe_parents({{"3", {"1"}}});
  auto created = only<create_task>(p.run_and_start(0));
  REQUIRE(created.size() == 2);
  for (const auto& c : created) CHECK_FALSE(c.spec.start.count("3"));
  // The partition no task reads makes the groups roll over within
  // repartitionTransitionDuration, as for any new partition.
  CHECK(p.r->status(at(1)).active_tasks.size() == 2);

  // Once the parent is read to its end (its offset is EOS), the child is read.
  // (The fixture's stream says latest 1000 for every partition, where Kinesis
  // would say EOS for the closed parent: the availability check is off.)
  planner q{kinesis_spec(R"(,"skipSequenceNumberAvailabilityCheck":true)")};
  q.r->observe_parents({{"3", {"1"}}});
  q.row = committed_offsets{"kinesis",
                            "wiki",
                            [] {
                              offset_map m;
                              m["0"] = 10;
                              m["1"] = stream_offset::end();
                              m["2"] = 10;
                              return m;
                            }(),
                            {},
                            {}};
  bool child = false;
  for (const auto& c : only<create_task>(q.run_and_start(0)))
    child |= c.spec.start.count("3") > 0;
  CHECK(child);
}
