// Prometheus text from status payloads: one family per name, labels, lag
// figures, lock waits, losses and the autoscaler.

#include <doctest/doctest.h>

#include "core/metrics.hpp"

using namespace sv::core;

namespace {

supervisor_metrics_input input(const std::string& id, const std::string& status) {
  supervisor_metrics_input in;
  in.summary =
      supervisor_summary{id, "wiki", "kafka", "events", detailed_state::running, false};
  in.status = *json::parse(status);
  return in;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("metrics: lag, state, tasks and the autoscaler in Prometheus text") {
  auto text = prometheus_text({input("a", R"({"healthy":true,
      "minimumLag":{"0":10,"1":30,"2":-4},
      "activeTasks":[{"id":"t1"},{"id":"t2","waitingForLock":{"interval":"x"}}],
      "publishingTasks":[],"recentErrors":[],
      "autoScaler":{"scaleOuts":2,"scaleIns":1,"skipped":5,
        "metrics":{"task/autoScaler/requiredCount":3,"task/autoScaler/updatedCount":3,
                   "task/autoScaler/scaleActionTime":12}}})"),
                               input("b", R"({"healthy":false,"activeTasks":[]})")});
  const std::string a = R"(supervisorId="a",dataSource="wiki",stream="events")";
  CHECK(has_line(text, "druid_ingest_kafka_lag{" + a + "} 40"));
  CHECK(has_line(text, "druid_ingest_kafka_max_lag{" + a + "} 30"));
  CHECK(has_line(text, "druid_ingest_kafka_partition_lag{" + a + R"(,partition="2"} 0)"));
  CHECK(has_line(text, "streamvisor_supervisor_tasks_waiting_for_lock{" + a + "} 1"));
  CHECK(has_line(text, "streamvisor_supervisor_active_tasks{" + a + "} 2"));
  CHECK(has_line(text, "streamvisor_supervisor_healthy{" + a + "} 1"));
  CHECK(has_line(text, "streamvisor_supervisor_state{" + a + R"(,state="RUNNING"} 1)"));
  CHECK(has_line(text, "druid_task_autoscaler_required_count{" + a + "} 3"));
  CHECK(has_line(text, "druid_task_autoscaler_scale_action_time{" + a + "} 12"));
  CHECK(has_line(text, "streamvisor_autoscaler_skipped_total{" + a + "} 5"));
  // b: no lag known yet, unhealthy; one TYPE line per family for both.
  const std::string b = R"(supervisorId="b",dataSource="wiki",stream="events")";
  CHECK(has_line(text, "streamvisor_supervisor_healthy{" + b + "} 0"));
  CHECK(text.find("druid_ingest_kafka_lag{" + b) == std::string::npos);
  size_t types = 0;
  for (size_t at = 0; (at = text.find("# TYPE streamvisor_supervisor_healthy ", at)) !=
                      std::string::npos;
       ++at)
    ++types;
  CHECK(types == 1);
}

TEST_CASE("metrics: label values are escaped; lost offsets counted per partition") {
  auto in = input(R"(we"ird)", R"({"lostOffsets":{"0":{"from":4000,"to":9240}}})");
  auto text = prometheus_text({in});
  CHECK(text.find(R"(supervisorId="we\"ird")") != std::string::npos);
  CHECK(text.find(R"(partition="0"} 5240)") != std::string::npos);
}

TEST_CASE("metrics: Kinesis lag is time, under Druid's /time names") {
  auto in = input("k", R"({"healthy":true,"activeTasks":[],
      "minimumLag":null,"minimumLagMillis":{"shardId-000000000000":1500,
      "shardId-000000000001":500}})");
  in.summary.type = "kinesis";
  auto text = prometheus_text({in});
  const std::string k = R"(supervisorId="k",dataSource="wiki",stream="events")";
  CHECK(has_line(text, "druid_ingest_kinesis_lag_time{" + k + "} 2000"));
  CHECK(has_line(text, "druid_ingest_kinesis_max_lag_time{" + k + "} 1500"));
  CHECK(has_line(text, "druid_ingest_kinesis_avg_lag_time{" + k + "} 1000"));
  CHECK(has_line(text, "druid_ingest_kinesis_partition_lag_time{" + k +
                           R"(,partition="shardId-000000000001"} 500)"));
  CHECK(text.find("druid_ingest_kinesis_lag{") == std::string::npos);
}
