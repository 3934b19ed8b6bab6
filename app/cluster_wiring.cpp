#include "app/cluster_wiring.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>

#include "adapters/errc.hpp"
#include "adapters/metadata_store.hpp"
#include "adapters/tls/credentials.hpp"
#include "app/identity.hpp"
#include "core/errc.hpp"
#include "core/time.hpp"

namespace sv::app {

void configure_middleman(caf::actor_system_config& cfg, const serve_options& opts) {
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval",
          caf::timespan{std::chrono::milliseconds{opts.heartbeat_interval_ms}});
  cfg.set("middleman.connection-timeout",
          caf::timespan{std::chrono::milliseconds{opts.heartbeat_timeout_ms}});
  cfg.set("middleman.app-identifiers",
          std::vector<std::string>{"streamvisor/" + version() + "/" + opts.cluster_name});
  if (opts.tls()) {
    // Setting any of these makes CAF require a certificate from the CA on
    // both ends of every connection.
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = opts.tls_cert;
    cfg.openssl_key = opts.tls_key;
    cfg.openssl_cafile = opts.tls_ca;
  }
}

caf::error check_tls(const serve_options& opts) {
  if (!opts.tls()) return {};
  return adapters::tls::check({opts.tls_cert, opts.tls_key, opts.tls_ca});
}

caf::io::middleman_actor peer_connector(caf::actor_system& sys,
                                        const serve_options& opts) {
  return opts.tls() ? sys.openssl_manager().actor_handle()
                    : sys.middleman().actor_handle();
}

caf::expected<uint16_t> publish_runner(caf::actor_system& sys,
                                       actors::task_runner_actor runner,
                                       const serve_options& opts) {
  auto port = opts.tls()
                  ? caf::openssl::publish(runner, opts.cluster_port,
                                          opts.cluster_host.c_str(), /*reuse=*/true)
                  : sys.middleman().publish(runner, opts.cluster_port,
                                            opts.cluster_host.c_str(), /*reuse=*/true);
  if (!port)
    return core::make_error(core::errc::unavailable,
                            "cannot listen for cluster peers on " + opts.cluster_host +
                                ":" + std::to_string(opts.cluster_port) + ": " +
                                sys.render(port.error()));
  return *port;
}

caf::expected<actors::cluster_actor> start_cluster(
    caf::actor_system& sys, const serve_options& opts,
    std::shared_ptr<http::node_identity> identity, uint16_t cluster_port,
    actors::metadata_actor metadata, std::vector<caf::actor> followers) {
  auto conninfo = adapters::postgres_conninfo(opts.metadata_uri);
  if (!conninfo)
    return core::make_error(core::errc::invalid_input,
                            "a cluster needs a PostgreSQL metadata store");
  actors::cluster_config cfg;
  cfg.cluster = opts.cluster_name;
  cfg.self.role = to_string(opts.role);
  cfg.self.http_address = identity->address();
  cfg.self.id = cfg.self.role + "@" + cfg.self.http_address;
  cfg.self.cluster_address =
      cluster_port == 0 ? std::string{}
                        : advertised_host(opts) + ":" + std::to_string(cluster_port);
  cfg.self.capacity = opts.role == node_role::worker ? identity->capacity : 0;
  cfg.self.version = version();
  cfg.self.started = core::format_utc_time(core::utc_now());
  cfg.elects = opts.role == node_role::overlord;
  cfg.interval = std::chrono::milliseconds{opts.heartbeat_interval_ms};
  cfg.timeout = std::chrono::milliseconds{opts.heartbeat_timeout_ms};
  cfg.open_registry = [c = *conninfo, name = opts.cluster_name] {
    return adapters::sql::open_node_registry(c, name);
  };
  cfg.open_lock = [c = *conninfo, name = opts.cluster_name, id = cfg.self.id,
                   http = cfg.self.http_address] {
    return adapters::sql::open_leader_lock(c, name, id, http);
  };
  cfg.metadata = std::move(metadata);
  if (!identity->cluster) identity->cluster = std::make_shared<http::cluster_status>();
  cfg.on_view = [status = identity->cluster,
                 followers = std::move(followers)](const msg::cluster_view& v) {
    status->update(v);
    for (const auto& f : followers) caf::anon_send(f, v);
  };
  spdlog::info("node {} joins cluster '{}' as {}", cfg.self.id, opts.cluster_name,
               cfg.self.role);
  return actors::spawn_cluster_actor(sys, std::move(cfg));
}

}  // namespace sv::app
