#include "app/options.hpp"
#include "app/security_options.hpp"

#include <cstdio>
#include <fstream>

#include <doctest/doctest.h>

#include "core/errc.hpp"

using namespace sv;

TEST_CASE("serve options: defaults") {
  auto o = app::parse_serve_options({});
  REQUIRE(o);
  CHECK(o->listen_host == "127.0.0.1");
  CHECK(o->listen_port == 8090);
  CHECK(o->data_dir == "var");
  CHECK(o->metadata_uri == "sqlite:var/metadata.db");
}

TEST_CASE("serve options: flags in both forms, config file, flags win over the file") {
  auto path =
      std::string{"/tmp/sv_options_test_"} + std::to_string(::getpid()) + ".properties";
  {
    std::ofstream f{path};
    f << "# a comment\nlisten = 0.0.0.0:9000\ndata-dir=/srv/sv  # trailing comment\n"
         "metadata=postgres://sv@db:5432/sv\n";
  }
  auto o = app::parse_serve_options({"--config", path, "--listen=127.0.0.1:9100"});
  std::remove(path.c_str());
  REQUIRE(o);
  CHECK(o->listen_host == "127.0.0.1");
  CHECK(o->listen_port == 9100);
  CHECK(o->data_dir == "/srv/sv");
  CHECK(o->metadata_uri == "postgres://sv@db:5432/sv");
}

TEST_CASE("serve options: mistakes are reported, not ignored") {
  auto unknown = app::parse_serve_options({"--colour", "blue"});
  REQUIRE_FALSE(unknown);
  CHECK(core::error_message(unknown.error()).find("unknown option 'colour'") !=
        std::string::npos);
  CHECK_FALSE(app::parse_serve_options({"--listen", "nocolon"}));
  CHECK_FALSE(app::parse_serve_options({"--listen", "h:99999"}));
  CHECK_FALSE(app::parse_serve_options({"--threads"}));
  CHECK_FALSE(app::parse_serve_options({"--threads", "many"}));
  CHECK_FALSE(app::parse_serve_options({"--config", "/nonexistent/file"}));
  CHECK_FALSE(app::parse_serve_options({"stray"}));
}

TEST_CASE("serve options: cluster roles need PostgreSQL and sane heartbeats") {
  auto d = app::parse_serve_options({});
  REQUIRE(d);
  CHECK(d->role == app::node_role::all);
  CHECK(d->cluster_name == "streamvisor");
  CHECK(d->heartbeat_interval_ms == 1000);
  CHECK(d->heartbeat_timeout_ms == 5000);

  auto sqlite_overlord = app::parse_serve_options({"--role", "overlord"});
  REQUIRE_FALSE(sqlite_overlord);
  CHECK(core::error_message(sqlite_overlord.error()).find("needs a PostgreSQL") !=
        std::string::npos);
  CHECK_FALSE(
      app::parse_serve_options({"--role", "worker", "--metadata", "sqlite:x.db"}));
  CHECK_FALSE(app::parse_serve_options({"--role", "leader"}));

  auto w = app::parse_serve_options(
      {"--role", "worker", "--metadata", "postgres://sv@db/sv", "--cluster-name",
       "prod-1", "--cluster-listen", "0.0.0.0:7001", "--advertise-host", "10.0.0.5",
       "--heartbeat-interval", "500", "--heartbeat-timeout", "3000", "--deep-storage",
       "/mnt/shared/segments"});
  REQUIRE(w);
  CHECK(w->role == app::node_role::worker);
  CHECK(w->cluster_name == "prod-1");
  CHECK(w->cluster_host == "0.0.0.0");
  CHECK(w->cluster_port == 7001);
  CHECK(w->advertise_host == "10.0.0.5");
  CHECK(w->heartbeat_interval_ms == 500);
  CHECK(w->heartbeat_timeout_ms == 3000);
  CHECK(w->deep_storage_dir == "/mnt/shared/segments");

  CHECK_FALSE(app::parse_serve_options({"--cluster-name", "a b"}));
  CHECK_FALSE(app::parse_serve_options({"--cluster-name", ""}));
  auto slow = app::parse_serve_options(
      {"--heartbeat-interval", "2000", "--heartbeat-timeout", "3000"});
  REQUIRE_FALSE(slow);
  CHECK(core::error_message(slow.error()).find("at least twice") != std::string::npos);
}

TEST_CASE("serve options: TLS between nodes takes certificate, key and CA together") {
  const std::vector<std::string> cluster{"--role", "worker", "--metadata",
                                         "postgres://sv@db:5432/sv"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), cluster.begin(), cluster.end());
    return app::parse_serve_options(extra);
  };
  auto all = with({"--tls-cert", "n.crt", "--tls-key", "n.key", "--tls-ca", "ca.crt"});
  REQUIRE(all);
  CHECK(all->tls());
  CHECK(all->tls_ca == "ca.crt");
  auto partial = with({"--tls-cert", "n.crt", "--tls-ca", "ca.crt"});
  REQUIRE_FALSE(partial);
  CHECK(core::error_message(partial.error()).find("go together") != std::string::npos);
  auto single = app::parse_serve_options(
      {"--tls-cert", "n.crt", "--tls-key", "n.key", "--tls-ca", "ca.crt"});
  REQUIRE_FALSE(single);
  CHECK(core::error_message(single.error()).find("role overlord or worker") !=
        std::string::npos);
  auto none = with({});
  REQUIRE(none);
  CHECK_FALSE(none->tls());
}

TEST_CASE("options: authentication is on beyond loopback and in a cluster, unless off") {
  auto req = [](std::vector<std::string> args) {
    auto o = app::parse_serve_options(args);
    REQUIRE_MESSAGE(o, core::error_message(o.error()));
    return app::auth_required(*o);
  };
  CHECK_FALSE(req({}));
  CHECK_FALSE(req({"--listen", "127.0.0.1:8090"}));
  CHECK(req({"--listen", "0.0.0.0:8090"}));
  CHECK(req({"--role", "overlord", "--metadata", "postgres://u@h/db"}));
  CHECK(req({"--role", "worker", "--metadata", "postgres://u@h/db"}));
  CHECK_FALSE(req({"--listen", "0.0.0.0:8090", "--auth", "off"}));
  CHECK(req({"--auth", "on"}));
  CHECK_FALSE(app::parse_serve_options({"--auth", "maybe"}));
  auto half = app::parse_serve_options({"--http-tls-cert", "a.crt"});
  REQUIRE_FALSE(half);
  CHECK(core::error_message(half.error()).find("go together") != std::string::npos);
  auto o = app::parse_serve_options({"--http-rate-per-client", "50", "--http-rate-burst",
                                     "10", "--auth-max-failures", "3"});
  REQUIRE(o);
  CHECK(o->http_rate_per_client == 50);
  CHECK(o->http_rate_burst == 10);
  CHECK(o->auth_max_failures == 3);
}
