// The lag-based autoscaler on a real node: a burst of events the supervisor
// cannot read at once (a slow broker, one record batch per partition per
// fetch) scales it out; once drained it scales back in; every event lands
// exactly once, and each scale is a spec version in the history.

#include <doctest/doctest.h>

#include "tests/e2e/e2e_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::json;

TEST_CASE_FIXTURE(test::e2e_fixture,
                  "autoscaler: a burst scales out, draining scales in, nothing lost or "
                  "doubled") {
  // Small record batches (20 events), so a fetch of one batch per partition
  // takes a broker round trip per 20 events.
  use_batches_of(20);

  auto io =
      R"("consumerProperties":{"bootstrap.servers":"embedded","fetch.wait.max.ms":"10",
      "max.partition.fetch.bytes":"1"},
    "autoScalerConfig":{"enableTaskAutoScaler":true,"taskCountMin":1,"taskCountMax":4,
      "taskCountStart":1,"lagCollectionIntervalMillis":500,"lagCollectionRangeMillis":3000,
      "scaleActionStartDelayMillis":1000,"scaleActionPeriodMillis":2000,
      "scaleOutThreshold":2000,"triggerScaleOutFractionThreshold":0.5,
      "scaleInThreshold":100,"triggerScaleInFractionThreshold":0.9,
      "scaleOutStep":2,"scaleInStep":1,"minTriggerScaleActionFrequencyMillis":5000})";
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(io)).status == 200);
  CHECK(get(sup()).json().find("ioConfig")->find("taskCount")->as_int() == 1);
  wait_state("RUNNING");
  REQUIRE(
      post_json("/streamvisor/v1/kafka/brokers/all/rtt", json::make_object({{"ms", 100}}))
          .status == 200);

  // The burst; the autoscaler should see the lag and scale out to 1 + 2.
  auto producing = produce_async(30000, 5s);
  int max_tasks = 1;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto t = get(sup()).json().find("ioConfig")->find("taskCount")->as_int();
    max_tasks = std::max<int>(max_tasks, static_cast<int>(t));
    if (t >= 3) break;
    std::this_thread::sleep_for(200ms);
  }
  producing.join();
  CHECK(max_tasks == 3);
  auto s = status();
  const json* a = s.find("autoScaler");
  REQUIRE(a);
  CHECK(a->find("scaleOuts")->as_int() >= 1);
  MESSAGE("after the burst: " << a->dump());
  // The same figures for Prometheus.
  auto metrics = get("/metrics");
  REQUIRE(metrics.status == 200);
  const std::string labels = R"({supervisorId="e2e",dataSource="e2e",stream="events"})";
  auto line = metrics.body.find("druid_task_autoscaler_updated_count" + labels + " ");
  REQUIRE(line != std::string::npos);
  auto value = std::stoi(metrics.body.substr(
      line + std::string{"druid_task_autoscaler_updated_count"}.size() + labels.size() +
      1));
  CHECK(value >= 3);  // scaled out (perhaps once more since)

  CHECK(metrics.body.find("streamvisor_autoscaler_scale_outs_total" + labels) !=
        std::string::npos);
  CHECK(metrics.body.find("druid_ingest_kafka_lag" + labels) != std::string::npos);

  // Drained, the lag stays under scaleInThreshold: it scales in by 1.
  REQUIRE(
      post_json("/streamvisor/v1/kafka/brokers/all/rtt", json::make_object({{"ms", 0}}))
          .status == 200);
  wait_caught_up();
  int64_t scaled_in_to = 0;
  deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto t = get(sup()).json().find("ioConfig")->find("taskCount")->as_int();
    if (t < max_tasks) {
      scaled_in_to = t;
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  CHECK(scaled_in_to == max_tasks - 1);
  s = status();
  CHECK(s.find("autoScaler")->find("scaleIns")->as_int() >= 1);

  // Every scale is a spec version; every event is there once.
  auto history = get(sup("/history")).json();
  int autoscaled_versions = 0;
  for (const auto& v : history.as_array())
    autoscaled_versions +=
        v.find("spec")->find("ioConfig")->find("taskCount")->as_int() != 1 ? 1 : 0;
  CHECK(autoscaled_versions >= 2);
  produce(2000);
  wait_caught_up();
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", true, 120s);
  check_exactly_once();
}
