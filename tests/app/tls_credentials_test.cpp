// The start-up check of node-to-node TLS files (adapters/tls/credentials) on
// files made by scripts/cluster-certs: usable files pass; a missing file, a
// key of another certificate and a certificate of another CA are refused
// with a message naming the file.

#include "adapters/tls/credentials.hpp"

#include <cstdlib>
#include <filesystem>

#include <doctest/doctest.h>

#include "adapters/errc.hpp"
#include "core/errc.hpp"

using namespace sv;

namespace {

std::filesystem::path make_certs(const std::string& ca, const std::string& names) {
  auto dir = std::filesystem::temp_directory_path() /
             ("sv_tls_" + std::to_string(::getpid())) / ca;
  auto cmd = std::string{SV_SOURCE_DIR} + "/scripts/cluster-certs --days 1 " +
             dir.string() + " " + names;
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, cmd);
  return dir;
}

}  // namespace

TEST_CASE("TLS files: usable ones pass, each kind of mistake is named") {
  auto a = make_certs("a", "n1 n2");
  auto b = make_certs("b", "n3");
  auto f = [](const std::filesystem::path& d, const std::string& n) {
    return (d / n).string();
  };
  using adapters::tls::check;
  CHECK_FALSE(check({f(a, "n1.crt"), f(a, "n1.key"), f(a, "ca.crt")}));

  auto missing = check({f(a, "none.crt"), f(a, "n1.key"), f(a, "ca.crt")});
  REQUIRE(missing);
  CHECK(adapters::is(missing, adapters::errc::bad_credentials));
  CHECK(core::error_message(missing).find("none.crt") != std::string::npos);

  auto wrong_key = check({f(a, "n1.crt"), f(a, "n2.key"), f(a, "ca.crt")});
  REQUIRE(wrong_key);
  MESSAGE(core::error_message(wrong_key));
  CHECK(core::error_message(wrong_key).find("n2.key") != std::string::npos);
  CHECK(core::error_message(wrong_key).find("key values mismatch") != std::string::npos);

  auto other_ca = check({f(b, "n3.crt"), f(b, "n3.key"), f(a, "ca.crt")});
  REQUIRE(other_ca);
  CHECK(core::error_message(other_ca).find("does not verify against the CA") !=
        std::string::npos);

  auto not_pem = check({f(a, "n1.crt"), f(a, "n1.key"), f(a, "ca.srl")});
  REQUIRE(not_pem);
  CHECK(core::error_message(not_pem).find("ca.srl") != std::string::npos);

  std::filesystem::remove_all(a.parent_path());
}
