#pragma once
// Command-line and config-file options of `streamvisor serve`. A config file
// holds the same keys as the flags, one "key=value" per line ('#' comments);
// flags given on the command line win over the file.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace sv::app {

struct serve_options {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8090;  ///< Druid's Overlord port
  std::string data_dir = "var";
  std::string metadata_uri;  ///< default: sqlite:{data_dir}/metadata.db
  int32_t threads = 0;       ///< CAF scheduler threads; 0 = one per core
  int32_t metadata_connect_timeout_s = 60;
  /// External Kafka; when empty the node runs an embedded Kafka (a mock
  /// cluster) and specs may say "bootstrap.servers": "embedded".
  std::string kafka_bootstrap;
  int32_t kafka_brokers = 1;  ///< brokers of the embedded Kafka
  /// Task slots of this node (druid.worker.capacity); 0 = max(4, cores).
  int32_t worker_capacity = 0;
  // druid.supervisor.*
  int32_t unhealthiness_threshold = 3;
  int32_t healthiness_threshold = 3;
  int32_t task_unhealthiness_threshold = 3;
  int32_t task_healthiness_threshold = 3;
  int32_t max_stored_exception_events = 0;  ///< 0 = max of the two run thresholds
  bool idle_enabled = false;                ///< idleConfig.enabled when a spec has none
  int64_t idle_inactive_after_ms = 600000;
};

/// Parses flags (`--key value` or `--key=value`), reading `--config FILE` first.
caf::expected<serve_options> parse_serve_options(const std::vector<std::string>& args);

/// The flag reference printed by `streamvisor serve --help`.
std::string serve_usage();

}  // namespace sv::app
