// The lag-based autoscaler with its supervisor, deterministically: simulated
// lag (the fake stream's latest offset against the fake tasks' positions),
// virtual time, the manager's part played by the fixture.

#include <doctest/doctest.h>

#include "actors/supervisor_actor.hpp"
#include "tests/actors/supervisor_fixture.hpp"

using namespace sv;
using test::offsets;

namespace {

// Samples every second over 5 s (6 samples) after a 1 s delay; decisions every
// 5 s; 20 s between scale actions.
core::supervisor_spec spec(int task_count) {
  return test::make_spec(
      R"("startDelay":"PT1S","period":"PT2S","taskDuration":"PT1H","taskCount":)" +
          std::to_string(task_count) + R"(,
      "autoScalerConfig":{"enableTaskAutoScaler":true,"taskCountMin":1,"taskCountMax":4,
        "lagCollectionIntervalMillis":1000,"lagCollectionRangeMillis":5000,
        "scaleActionStartDelayMillis":1000,"scaleActionPeriodMillis":5000,
        "scaleOutThreshold":1000,"triggerScaleOutFractionThreshold":0.5,
        "scaleInThreshold":10,"triggerScaleInFractionThreshold":0.9,
        "scaleOutStep":2,"scaleInStep":1,"minTriggerScaleActionFrequencyMillis":20000})",
      R"("offsetFetchPeriod":"PT5S")");
}

struct fixture : test::supervisor_fixture {
  fixture() {
    stream->partitions = 4;
    commit_row(offsets({{"0", 100}, {"1", 100}, {"2", 100}, {"3", 100}}));
  }

  // What the manager does with a scale request: the spec with the new count.
  void apply_scale(const actors::supervisor_actor& sup, core::supervisor_spec s) {
    REQUIRE_FALSE(scaled.empty());
    s.io.task_count = scaled.back().task_count;
    caf::anon_send(sup, msg::spec_updated{std::move(s)});
    sched.run();
  }

  core::json decision(const actors::supervisor_actor& sup) {
    auto s = status(sup);
    const core::json* a = s.find("autoScaler");

    REQUIRE(a);
    return *a->find("lastDecision");
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture,
                  "autoscaler: sustained lag scales out by scaleOutStep; the groups "
                  "publish and the new ones start where they stopped") {
  stream->latest = 50000;  // lag ~ 4 x 49,900: over the threshold in every sample
  auto sup = start(spec(1));
  step(1);
  REQUIRE(reading().size() == 1);
  auto old = reading()[0];
  old->position = offsets({{"0", 300}, {"1", 300}, {"2", 300}, {"3", 300}});
  // The first decision comes after the start delay plus the collection range.
  step(4);
  CHECK(scaled.empty());
  step(3);
  REQUIRE(scaled.size() == 1);
  CHECK(scaled[0].id == "wiki");
  CHECK(scaled[0].task_count == 3);  // 1 + scaleOutStep 2
  auto d = decision(sup);
  CHECK(d.find("action")->as_string() == "scaleOut");
  CHECK(d.find("desiredTaskCount")->as_int() == 3);

  apply_scale(sup, spec(1));
  // Two runs at most min_run_interval (1 s) apart: the roll-over, then the
  // run that starts the new groups.
  step(2);
  // The old group was told to publish at its position; three new groups start there.
  REQUIRE(old->end);
  CHECK(*old->end == old->position);
  auto fresh = reading();
  REQUIRE(fresh.size() == 3);
  core::offset_map starts;
  for (const auto& t : fresh)
    for (const auto& [p, o] : t->spec.start) starts[p] = o;
  CHECK(starts == old->position);
  auto a = *status(sup).find("autoScaler");
  CHECK(a.find("taskCount")->as_int() == 3);
  CHECK(a.find("scaleOuts")->as_int() == 1);
  CHECK(a.find("metrics")->find("task/autoScaler/requiredCount")->as_int() == 3);
}

TEST_CASE_FIXTURE(fixture, "autoscaler: sustained low lag scales in by scaleInStep") {
  stream->latest = 100;  // nothing to read: lag 0
  auto sup = start(spec(3));
  step(8);
  REQUIRE(scaled.size() == 1);
  CHECK(scaled[0].task_count == 2);  // 3 - scaleInStep 1
  CHECK(decision(sup).find("action")->as_string() == "scaleIn");
}

TEST_CASE_FIXTURE(
    fixture, "autoscaler: nothing happens within the cooldown; then it scales again") {
  stream->latest = 50000;
  auto sup = start(spec(1));
  step(8);
  REQUIRE(scaled.size() == 1);
  apply_scale(sup, spec(1));
  // The old group publishes, so the new ones have nothing pending.
  step(1);
  for (auto& t : live())
    if (t->end) publish(t);
  // Lag stays high; decisions come every 5 s but the cooldown is 20 s.
  step(10);
  CHECK(scaled.size() == 1);
  auto d = decision(sup);
  CHECK(d.find("action")->as_string() == "skipped");
  CHECK(d.find("reason")->as_string() == "Scale cooldown not elapsed yet");
  CHECK(d.find("desiredTaskCount")->as_int() == 4);  // 3 + 2, capped at 4 partitions
  step(12);
  REQUIRE(scaled.size() == 2);
  CHECK(scaled[1].task_count == 4);
}

TEST_CASE_FIXTURE(fixture, "autoscaler: a reset clears the lag window") {
  stream->latest = 50000;
  auto sup = start(spec(1));
  step(4);
  CHECK(scaled.empty());
  // Before the first decision (at 6 s) a hard reset empties the window: the
  // decision sees the samples taken since (5 without the reset).
  REQUIRE(call<msg::ack>(sup, msg::reset_supervisor{"wiki", "test"}));
  step(4);
  auto d = decision(sup);
  CHECK(d.find("samples")->as_int() <= 2);
}

TEST_CASE_FIXTURE(fixture, "autoscaler: skipped while suspended") {
  stream->latest = 50000;
  auto s = spec(1);
  s.suspended = true;
  auto sup = start(s);
  step(12);
  CHECK(scaled.empty());
  auto d = decision(sup);
  CHECK(d.find("reason")->as_string() == "Supervisor is suspended");
}

TEST_CASE_FIXTURE(fixture,
                  "autoscaler: it quits with its supervisor, even when that "
                  "stops normally") {
  core::autoscaler_config cfg;
  cfg.lag_collection_interval_millis = 1000;
  cfg.scale_action_period_millis = 5000;
  // A supervisor stand-in that answers lag samples and quits normally on demand.
  auto owner = sys.spawn([](caf::event_based_actor* self) -> caf::behavior {
    return {[](msg::get_lag_sample&) { return msg::lag_sample{}; },
            [self](const std::string&) { self->quit(); }};
  });
  auto scaler =
      actors::spawn_autoscaler(sys, cfg, caf::actor_cast<actors::autoscaled>(owner));
  to_stop.push_back(caf::actor_cast<caf::actor>(scaler));
  to_stop.push_back(owner);
  self->monitor(scaler);
  sched.run();
  step(3);
  caf::anon_send(owner, std::string{"quit"});
  sched.run();
  bool down = false;
  self->receive([&](caf::down_msg& dm) { down = dm.source == scaler.address(); },
                caf::after(std::chrono::seconds{0}) >> [] {});
  CHECK(down);
}
