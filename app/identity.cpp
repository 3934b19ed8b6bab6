#include "app/identity.hpp"

#include <unistd.h>

#include <filesystem>

namespace sv::app {

std::string version() {
  return STREAMVISOR_VERSION;
}

std::string advertised_host(const serve_options& opts) {
  if (!opts.advertise_host.empty()) return opts.advertise_host;
  const auto& h = opts.listen_host;
  if (h != "0.0.0.0" && h != "::" && !h.empty()) return h;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0 && name[0]) return name;
  return "localhost";
}

std::string mask_password(const std::string& uri) {
  std::string out = uri;
  // scheme://user:password@host...
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "<masked>");
  }
  // key=value conninfo (and URI query parameters): password=...
  for (size_t at = out.find("password="); at != std::string::npos;
       at = out.find("password=", at + 1)) {
    auto from = at + 9;
    auto to = out.find_first_of(" &", from);
    out.replace(from, (to == std::string::npos ? out.size() : to) - from, "<masked>");
  }
  return out;
}

core::json properties(const serve_options& o, int32_t capacity) {
  auto seconds = [](int64_t ms) { return "PT" + std::to_string(ms / 1000) + "S"; };
  return core::json::make_object({
      {"druid.service", "druid/overlord"},
      {"druid.host", advertised_host(o)},
      {"druid.worker.capacity", std::to_string(capacity)},
      {"druid.supervisor.unhealthinessThreshold",
       std::to_string(o.unhealthiness_threshold)},
      {"druid.supervisor.healthinessThreshold", std::to_string(o.healthiness_threshold)},
      {"druid.supervisor.taskUnhealthinessThreshold",
       std::to_string(o.task_unhealthiness_threshold)},
      {"druid.supervisor.taskHealthinessThreshold",
       std::to_string(o.task_healthiness_threshold)},
      {"druid.supervisor.maxStoredExceptionEvents",
       std::to_string(o.max_stored_exception_events)},
      {"druid.supervisor.idleConfig.enabled", o.idle_enabled ? "true" : "false"},
      {"druid.supervisor.idleConfig.inactiveAfterMillis",
       std::to_string(o.idle_inactive_after_ms)},
      {"druid.indexer.task.gracefulShutdownTimeout",
       seconds(o.graceful_shutdown_timeout_ms)},
      {"streamvisor.listen", o.listen_host + ":" + std::to_string(o.listen_port)},
      {"streamvisor.dataDir", o.data_dir},
      {"streamvisor.deepStorage",
       o.deep_storage_dir.empty() ? o.data_dir + "/segments" : o.deep_storage_dir},
      {"streamvisor.role", to_string(o.role)},
      {"streamvisor.cluster.name", o.cluster_name},
      {"streamvisor.metadata", mask_password(o.metadata_uri)},
      {"streamvisor.kafka", o.kafka_bootstrap.empty() ? "embedded" : o.kafka_bootstrap},
      {"streamvisor.http.threads", std::to_string(o.http_threads)},
      {"streamvisor.http.maxConnections", std::to_string(o.http_max_connections)},
      {"streamvisor.http.headerTimeout", seconds(o.http_header_timeout_s * 1000LL)},
      {"streamvisor.http.idleTimeout", seconds(o.http_idle_timeout_s * 1000LL)},
      {"streamvisor.http.maxBodyBytes", std::to_string(o.http_max_body_bytes)},
  });
}

std::shared_ptr<http::node_identity> make_identity(const serve_options& opts,
                                                   int32_t capacity) {
  auto id = std::make_shared<http::node_identity>();
  id->version = version();
  id->host = advertised_host(opts);
  id->capacity = capacity;
  id->task_log_dir = (std::filesystem::path{opts.data_dir} / "task-logs").string();
  id->properties = properties(opts, capacity);
  return id;
}

}  // namespace sv::app
