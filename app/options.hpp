#pragma once
// Command-line and config-file options of `streamvisor serve`. A config file
// holds the same keys as the flags, one "key=value" per line ('#' comments);
// flags given on the command line win over the file.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace sv::app {

/// What a node runs (DESIGN.md §8): `all` is the single node (supervisors and
/// tasks in one process, any metadata store); `overlord` and `worker` are the
/// two halves of a cluster on PostgreSQL.
enum class node_role { all, overlord, worker };

std::string to_string(node_role r);

struct serve_options {
  node_role role = node_role::all;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8090;  ///< Druid's Overlord port
  std::string data_dir = "var";
  std::string metadata_uri;  ///< default: sqlite:{data_dir}/metadata.db
  /// Where segments are pushed; a cluster's workers share it (a shared
  /// mount). Default: {data_dir}/segments.
  std::string deep_storage_dir;
  int32_t threads = 0;  ///< CAF scheduler threads; 0 = one per core
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
  /// How long a stop (SIGTERM, SIGINT) may take: reading groups publish what
  /// they read, then the node exits, in all at most this long (Druid's
  /// druid.indexer.task.gracefulShutdownTimeout). 0: stop at once; what the
  /// tasks read and did not publish is read again at the next start.
  int64_t graceful_shutdown_timeout_ms = 30000;
  // The HTTP API's limits (http/server.hpp).
  int32_t http_threads = 16;               ///< handler threads
  int32_t http_max_connections = 4096;     ///< open connections in all
  int32_t http_header_timeout_s = 30;      ///< headers complete within (slowloris)
  int32_t http_idle_timeout_s = 60;        ///< idle connections closed after
  int64_t http_max_body_bytes = 16 << 20;  ///< larger bodies get 413
  // The cluster (roles overlord and worker).
  std::string cluster_name = "streamvisor";  ///< one leader per name and database
  std::string cluster_host = "127.0.0.1";    ///< the middleman binds here
  uint16_t cluster_port = 0;                 ///< the middleman's port (0: any free)
  /// The address other nodes reach this node's HTTP API and middleman at;
  /// empty: the listen and cluster hosts.
  std::string advertise_host;
  /// Middleman heartbeats and the registration's freshness: a peer silent for
  /// heartbeat_timeout_ms is dead (down_msg), and a node whose registration is
  /// older than that is not placed on.
  int64_t heartbeat_interval_ms = 1000;
  int64_t heartbeat_timeout_ms = 5000;
  /// Node-to-node TLS with mutual certificates: this node's certificate
  /// (PEM, chain allowed), its private key and the CA that signs every node's
  /// certificate. All three or none; none: plain TCP.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;
  bool tls() const { return !tls_cert.empty(); }
  // The HTTP API's security (app/security_options.hpp, docs/security.md).
  /// on, off, or auto: on when the API listens beyond loopback or the node
  /// is part of a cluster.
  std::string auth = "auto";
  /// Where the initial admin's password is read from (used once, when the
  /// metadata store has no users): an environment variable's name or a
  /// file. Default: the variable STREAMVISOR_ADMIN_PASSWORD.
  std::string auth_admin_password_env;
  std::string auth_admin_password_file;
  int32_t auth_max_failures = 5;    ///< failed sign-ins per client before a block
  int32_t auth_block_s = 30;        ///< the first block; doubled up to 15 minutes
  double http_rate_per_client = 0;  ///< requests/s per client address; 0: no limit
  int32_t http_rate_burst = 100;
  /// HTTPS for the API: certificate (PEM, chain allowed) and key; both set:
  /// the port speaks TLS only.
  std::string http_tls_cert;
  std::string http_tls_key;
  /// The console's files (console/README.md); default: ../console beside
  /// the executable, as the build lays it out. "none": no console.
  std::string console_dir;
};

/// Parses flags (`--key value` or `--key=value`), reading `--config FILE` first.
caf::expected<serve_options> parse_serve_options(const std::vector<std::string>& args);

/// The flag reference printed by `streamvisor serve --help`.
std::string serve_usage();

}  // namespace sv::app
