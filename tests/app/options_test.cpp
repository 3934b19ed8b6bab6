#include "app/options.hpp"

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
