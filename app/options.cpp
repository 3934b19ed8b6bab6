#include "app/options.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

#include "app/flags.hpp"
#include "app/security_options.hpp"
#include "core/errc.hpp"
#include "core/time.hpp"

namespace sv::app {

namespace {

caf::error bad(const std::string& what) {
  return core::make_error(core::errc::invalid_input, what);
}

// The state manager's thresholds, by flag or by Druid's property name.
int32_t* threshold_field(serve_options& o, const std::string& key) {
  static const std::map<std::string, int32_t serve_options::*> fields{
      {"supervisor-unhealthiness-threshold", &serve_options::unhealthiness_threshold},
      {"druid.supervisor.unhealthinessThreshold",
       &serve_options::unhealthiness_threshold},
      {"supervisor-healthiness-threshold", &serve_options::healthiness_threshold},
      {"druid.supervisor.healthinessThreshold", &serve_options::healthiness_threshold},
      {"supervisor-task-unhealthiness-threshold",
       &serve_options::task_unhealthiness_threshold},
      {"druid.supervisor.taskUnhealthinessThreshold",
       &serve_options::task_unhealthiness_threshold},
      {"supervisor-task-healthiness-threshold",
       &serve_options::task_healthiness_threshold},
      {"druid.supervisor.taskHealthinessThreshold",
       &serve_options::task_healthiness_threshold},
      {"supervisor-max-stored-exception-events",
       &serve_options::max_stored_exception_events},
      {"druid.supervisor.maxStoredExceptionEvents",
       &serve_options::max_stored_exception_events},
  };
  auto i = fields.find(key);
  return i == fields.end() ? nullptr : &(o.*(i->second));
}

// The cluster's options; `handled` false when `key` is none of them.
caf::error set_cluster(serve_options& o, const std::string& key, const std::string& value,
                       bool& handled) {
  handled = true;
  auto number = [&](int64_t lo, int64_t hi) { return flag_number(key, value, lo, hi); };
  if (key == "role") {
    if (value == "all")
      o.role = node_role::all;
    else if (value == "overlord")
      o.role = node_role::overlord;
    else if (value == "worker")
      o.role = node_role::worker;
    else
      return bad("option 'role' must be all, overlord or worker, not '" + value + "'");
  } else if (key == "cluster-name") {
    // It names the leader lock and the rows of this cluster: printable, short.
    auto ok = !value.empty() && value.size() <= 64 &&
              std::all_of(value.begin(), value.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                       c == '_' || c == '.';
              });
    if (!ok)
      return bad(
          "option 'cluster-name' must be 1 to 64 letters, digits, '-', '_' or "
          "'.', not '" +
          value + "'");
    o.cluster_name = value;
  } else if (key == "cluster-listen") {
    auto hp = flag_host_port(key, value);
    if (!hp) return hp.error();
    o.cluster_host = hp->first;
    o.cluster_port = hp->second;
  } else if (key == "advertise-host") {
    o.advertise_host = value;
  } else if (key == "heartbeat-interval") {
    auto v = number(100, 60000);
    if (!v) return v.error();
    o.heartbeat_interval_ms = *v;
  } else if (key == "heartbeat-timeout") {
    auto v = number(200, 600000);
    if (!v) return v.error();
    o.heartbeat_timeout_ms = *v;
  } else if (key == "tls-cert") {
    o.tls_cert = value;
  } else if (key == "tls-key") {
    o.tls_key = value;
  } else if (key == "tls-ca") {
    o.tls_ca = value;
  } else {
    handled = false;
  }
  return {};
}

caf::error set(serve_options& o, const std::string& key, const std::string& value) {
  bool handled = false;
  if (auto err = set_cluster(o, key, value, handled); err || handled) return err;
  if (auto err = set_security_option(o, key, value, handled); err || handled) return err;
  auto number = [&](int64_t lo, int64_t hi) { return flag_number(key, value, lo, hi); };
  if (key == "listen") {
    auto hp = flag_host_port(key, value);
    if (!hp) return hp.error();
    o.listen_host = hp->first;
    o.listen_port = hp->second;
  } else if (key == "console-dir") {
    o.console_dir = value;
  } else if (key == "data-dir") {
    o.data_dir = value;
  } else if (key == "deep-storage") {
    o.deep_storage_dir = value;
  } else if (key == "metadata") {
    o.metadata_uri = value;
  } else if (key == "threads") {
    auto v = number(0, 256);
    if (!v) return v.error();
    o.threads = static_cast<int32_t>(*v);
  } else if (key == "kafka") {
    o.kafka_bootstrap = value;
  } else if (key == "kafka-brokers") {
    auto v = number(1, 16);
    if (!v) return v.error();
    o.kafka_brokers = static_cast<int32_t>(*v);
  } else if (key == "worker-capacity" || key == "druid.worker.capacity") {
    auto v = number(1, 1024);
    if (!v) return v.error();
    o.worker_capacity = static_cast<int32_t>(*v);
  } else if (auto* threshold = threshold_field(o, key)) {
    auto v = number(1, 1000);
    if (!v) return v.error();
    *threshold = static_cast<int32_t>(*v);
  } else if (key == "supervisor-idle-enabled" ||
             key == "druid.supervisor.idleConfig.enabled") {
    if (value != "true" && value != "false")
      return bad("option '" + key + "' must be true or false, not '" + value + "'");
    o.idle_enabled = value == "true";
  } else if (key == "supervisor-idle-inactive-after-millis" ||
             key == "druid.supervisor.idleConfig.inactiveAfterMillis") {
    auto v = number(1, int64_t{1} << 40);
    if (!v) return v.error();
    o.idle_inactive_after_ms = *v;
  } else if (key == "graceful-shutdown-timeout" ||
             key == "druid.indexer.task.gracefulShutdownTimeout") {
    // Seconds, or an ISO 8601 period as Druid's property takes (PT30S).
    if (auto p = core::parse_period(value); p && p->is_fixed()) {
      o.graceful_shutdown_timeout_ms = p->to_millis().count();
    } else {
      auto v = number(0, 86400);
      if (!v)
        return bad("option '" + key +
                   "' must be seconds or a fixed ISO 8601 period (PT30S), not '" + value +
                   "'");
      o.graceful_shutdown_timeout_ms = *v * 1000;
    }
  } else if (key == "http-threads") {
    auto v = number(1, 256);
    if (!v) return v.error();
    o.http_threads = static_cast<int32_t>(*v);
  } else if (key == "http-max-connections") {
    auto v = number(16, 1000000);
    if (!v) return v.error();
    o.http_max_connections = static_cast<int32_t>(*v);
  } else if (key == "http-header-timeout") {
    auto v = number(1, 3600);
    if (!v) return v.error();
    o.http_header_timeout_s = static_cast<int32_t>(*v);
  } else if (key == "http-idle-timeout") {
    auto v = number(1, 86400);
    if (!v) return v.error();
    o.http_idle_timeout_s = static_cast<int32_t>(*v);
  } else if (key == "http-max-body-bytes") {
    auto v = number(1024, int64_t{1} << 32);
    if (!v) return v.error();
    o.http_max_body_bytes = *v;
  } else if (key == "metadata-connect-timeout") {
    auto v = number(0, 86400);
    if (!v) return v.error();
    o.metadata_connect_timeout_s = static_cast<int32_t>(*v);
  } else {
    return bad("unknown option '" + key + "' (see streamvisor serve --help)");
  }
  return {};
}

caf::error read_file(serve_options& o, const std::string& path) {
  std::ifstream in{path};
  if (!in) return bad("cannot read config file '" + path + "'");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    auto trim = [](std::string s) {
      auto b = s.find_first_not_of(" \t\r");
      auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
    };
    line = trim(line);
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos)
      return bad(path + ":" + std::to_string(n) + ": expected key=value");
    if (auto err = set(o, trim(line.substr(0, eq)), trim(line.substr(eq + 1))))
      return bad(path + ":" + std::to_string(n) + ": " + core::error_message(err));
  }
  return {};
}

// build/bin/streamvisor -> build/console.
std::string default_console_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  auto dir = exe.parent_path().parent_path() / "console";
  return std::filesystem::exists(dir / "index.html", ec) ? dir.string() : std::string{};
}

}  // namespace

caf::expected<serve_options> parse_serve_options(const std::vector<std::string>& args) {
  auto flags = parse_flags(args);
  if (!flags) return flags.error();
  serve_options o;
  for (const auto& [k, v] : *flags)
    if (k == "config")
      if (auto err = read_file(o, v)) return err;
  for (const auto& [k, v] : *flags)
    if (k != "config")
      if (auto err = set(o, k, v)) return err;
  if (o.metadata_uri.empty()) o.metadata_uri = "sqlite:" + o.data_dir + "/metadata.db";
  if (o.console_dir.empty()) o.console_dir = default_console_dir();
  if (o.console_dir == "none") o.console_dir.clear();
  auto run_max = std::max(o.unhealthiness_threshold, o.healthiness_threshold);
  if (o.max_stored_exception_events == 0) o.max_stored_exception_events = run_max;
  if (o.max_stored_exception_events < run_max)
    return bad("supervisor-max-stored-exception-events (" +
               std::to_string(o.max_stored_exception_events) +
               ") must be >= both run thresholds (" + std::to_string(run_max) + ")");
  if (o.heartbeat_timeout_ms < 2 * o.heartbeat_interval_ms)
    return bad("heartbeat-timeout (" + std::to_string(o.heartbeat_timeout_ms) +
               " ms) must be at least twice heartbeat-interval (" +
               std::to_string(o.heartbeat_interval_ms) + " ms)");
  auto tls_given =
      int{!o.tls_cert.empty()} + int{!o.tls_key.empty()} + int{!o.tls_ca.empty()};
  if (tls_given != 0 && tls_given != 3)
    return bad(
        "options 'tls-cert', 'tls-key' and 'tls-ca' go together: give all three "
        "for TLS between nodes, or none");
  if (tls_given != 0 && o.role == node_role::all)
    return bad(
        "options 'tls-cert', 'tls-key' and 'tls-ca' secure node-to-node traffic "
        "and need role overlord or worker");
  if (auto err = check_security_options(o)) return err;
  if (o.role != node_role::all && o.metadata_uri.rfind("postgres", 0) != 0)
    return bad("role '" + to_string(o.role) +
               "' needs a PostgreSQL metadata store shared by the cluster "
               "(--metadata postgres://USER@HOST:PORT/DB); '" +
               o.metadata_uri + "' is not one");
  return o;
}

std::string to_string(node_role r) {
  switch (r) {
    case node_role::overlord:
      return "overlord";
    case node_role::worker:
      return "worker";
    default:
      return "all";
  }
}

std::string serve_usage() {
  return R"(usage: streamvisor serve [options]

  --listen HOST:PORT            HTTP API address (default 127.0.0.1:8090)
  --console-dir DIR             the console's files (default: ../console beside the
                                binary; none: no console)
  --data-dir DIR                local state: metadata.db, segments (default var)
  --deep-storage DIR            where segments are pushed; a cluster's workers
                                share it (default DIR/segments of --data-dir)
  --metadata URI                metadata store: sqlite:PATH (default
                                sqlite:DIR/metadata.db) or postgres://USER@HOST:PORT/DB
  --threads N                   actor scheduler threads (default: one per core)
  --kafka BOOTSTRAP              use this Kafka as the node's default and run no
                                embedded Kafka
  --kafka-brokers N             brokers of the embedded Kafka (default 1)
  --worker-capacity N           task slots of this node; more tasks wait as
                                PENDING (default: max(4, cores))
  --supervisor-unhealthiness-threshold N        failed runs in a row before a
                                supervisor is unhealthy (default 3)
  --supervisor-healthiness-threshold N          good runs in a row to recover (3)
  --supervisor-task-unhealthiness-threshold N   failed tasks in a row before
                                UNHEALTHY_TASKS (default 3)
  --supervisor-task-healthiness-threshold N     good tasks in a row to recover (3)
  --supervisor-max-stored-exception-events N    recentErrors kept (default: the
                                larger run threshold)
  --supervisor-idle-enabled true|false          idleConfig.enabled for specs
                                without one (default false)
  --supervisor-idle-inactive-after-millis MS    idleConfig.inactiveAfterMillis
                                default (600000)
                                (config files also take Druid's property names,
                                e.g. druid.supervisor.unhealthinessThreshold=5)
  --graceful-shutdown-timeout S  a stop (SIGTERM/SIGINT) lets reading tasks
                                publish what they read, and exits within S
                                seconds or an ISO period like PT1M (default 30;
                                0 stops at once). A second signal exits at once.
  --http-threads N              requests handled at once (default 16)
  --http-max-connections N      open HTTP connections in all (default 4096)
  --http-header-timeout S       a request's headers must arrive within S
                                seconds, else the connection closes (default 30)
  --http-idle-timeout S         idle connections close after S seconds (60)
  --http-max-body-bytes N       larger request bodies get 413 (default 16 MiB)
  --metadata-connect-timeout S  keep retrying the metadata store for S seconds
                                at start-up (default 60)
  --role all|overlord|worker    all: one node runs supervisors and tasks
                                (default); overlord: API, leader election,
                                supervisors; worker: task slots. overlord and
                                worker need a PostgreSQL metadata store
  --cluster-name NAME           nodes with one name and database form one
                                cluster with one leader (default streamvisor)
  --cluster-listen HOST:PORT    node-to-node (actor) address (default
                                127.0.0.1:0, any free port)
  --advertise-host HOST         the host other nodes use to reach this one
                                (default: the listen hosts)
  --heartbeat-interval MS       node-to-node heartbeat (default 1000)
  --heartbeat-timeout MS        a peer silent this long is dead (default 5000)
  --tls-cert FILE               node-to-node TLS: this node's certificate (PEM)
  --tls-key FILE                its private key (PEM, unencrypted)
  --tls-ca FILE                 the CA that signs every node's certificate; a
                                peer without a certificate from it is refused
                                (all three or none; none: plain TCP)
  --config FILE                 read options from FILE (key=value per line, the
                                same keys as the flags); flags win
)" + security_usage();
}

}  // namespace sv::app
