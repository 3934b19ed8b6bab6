#pragma once
// The node's supervisors as Prometheus text (GET /metrics), named the way
// Druid's prometheus-emitter names Druid's metrics (`ingest/kafka/lag` →
// druid_ingest_kafka_lag): lag (total, max, average, per partition), state and
// health, task counts, offsets lost to retention, tasks waiting for locks, and
// the autoscaler's task/autoScaler/* figures and decisions. Pure: built from
// the status payloads.

#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/supervisor_state.hpp"

namespace sv::core {

struct supervisor_metrics_input {
  supervisor_summary summary;
  json status;  ///< the status payload (GET /{id}/status "payload")
};

/// Prometheus text exposition format 0.0.4, one family per metric name.
std::string prometheus_text(const std::vector<supervisor_metrics_input>& supervisors);

}  // namespace sv::core
