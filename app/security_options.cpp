#include "app/security_options.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "app/flags.hpp"
#include "core/errc.hpp"

namespace sv::app {

namespace {

caf::error bad(const std::string& what) {
  return core::make_error(core::errc::invalid_input, what);
}

caf::expected<std::string> read_text(const std::string& what, const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return bad("cannot read " + what + " '" + path + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" ||
         host.rfind("127.", 0) == 0;
}

}  // namespace

caf::error set_security_option(serve_options& o, const std::string& key,
                               const std::string& value, bool& handled) {
  handled = true;
  auto number = [&](int64_t lo, int64_t hi) { return flag_number(key, value, lo, hi); };
  if (key == "auth") {
    if (value != "on" && value != "off" && value != "auto")
      return bad("option 'auth' must be on, off or auto, not '" + value + "'");
    o.auth = value;
  } else if (key == "auth-admin-password-env") {
    o.auth_admin_password_env = value;
  } else if (key == "auth-admin-password-file") {
    o.auth_admin_password_file = value;
  } else if (key == "auth-max-failures") {
    auto v = number(1, 1000);
    if (!v) return v.error();
    o.auth_max_failures = static_cast<int32_t>(*v);
  } else if (key == "auth-block-seconds") {
    auto v = number(1, 86400);
    if (!v) return v.error();
    o.auth_block_s = static_cast<int32_t>(*v);
  } else if (key == "http-rate-per-client") {
    auto v = number(0, 1000000);
    if (!v) return v.error();
    o.http_rate_per_client = static_cast<double>(*v);
  } else if (key == "http-rate-burst") {
    auto v = number(1, 1000000);
    if (!v) return v.error();
    o.http_rate_burst = static_cast<int32_t>(*v);
  } else if (key == "http-tls-cert") {
    o.http_tls_cert = value;
  } else if (key == "http-tls-key") {
    o.http_tls_key = value;
  } else {
    handled = false;
  }
  return {};
}

caf::error check_security_options(const serve_options& o) {
  if (o.http_tls_cert.empty() != o.http_tls_key.empty())
    return bad("options 'http-tls-cert' and 'http-tls-key' go together");
  if (!o.auth_admin_password_env.empty() && !o.auth_admin_password_file.empty())
    return bad(
        "give the admin password by 'auth-admin-password-env' or "
        "'auth-admin-password-file', not both");
  return {};
}

bool auth_required(const serve_options& o) {
  if (o.auth == "on") return true;
  if (o.auth == "off") return false;
  return !loopback(o.listen_host) || o.role != node_role::all;
}

caf::expected<http::security_options> make_security_options(const serve_options& o) {
  http::security_options s;
  s.enabled = auth_required(o);
  s.metadata_uri = o.metadata_uri;
  s.sign_in.max_failures = o.auth_max_failures;
  s.sign_in.block = std::chrono::seconds{o.auth_block_s};
  s.rate_per_client = o.http_rate_per_client;
  s.rate_burst = o.http_rate_burst;
  if (o.auth == "off" && (!loopback(o.listen_host) || o.role != node_role::all))
    spdlog::warn(
        "AUTHENTICATION IS OFF (--auth off) on a node reachable beyond loopback: anyone "
        "who reaches {}:{} may read every spec, reset offsets and terminate every "
        "supervisor",
        o.listen_host, o.listen_port);
  if (!s.enabled) return s;
  if (!o.auth_admin_password_file.empty()) {
    auto text = read_text("the admin password file", o.auth_admin_password_file);
    if (!text) return text.error();
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r'))
      text->pop_back();
    s.admin_password = std::move(*text);
  } else {
    auto var = o.auth_admin_password_env.empty()
                   ? std::string{"STREAMVISOR_ADMIN_PASSWORD"}
                   : o.auth_admin_password_env;
    if (const char* v = std::getenv(var.c_str())) s.admin_password = v;
  }
  return s;
}

caf::error load_https(const serve_options& o, http::server_limits& limits) {
  if (o.http_tls_cert.empty()) return {};
  auto cert = read_text("the HTTPS certificate", o.http_tls_cert);
  if (!cert) return cert.error();
  auto key = read_text("the HTTPS key", o.http_tls_key);
  if (!key) return key.error();
  limits.tls_cert_pem = std::move(*cert);
  limits.tls_key_pem = std::move(*key);
  return {};
}

std::string security_usage() {
  return R"(  --auth on|off|auto            authentication and authorization of the API
                                (default auto: on when --listen is beyond
                                loopback or the node is part of a cluster)
  --auth-admin-password-env VAR the initial admin's password, read once when the
                                metadata store has no users yet (default
                                variable STREAMVISOR_ADMIN_PASSWORD)
  --auth-admin-password-file F  ... or from a file
  --auth-max-failures N         failed sign-ins per client address before it is
                                refused for a while (default 5 within 60 s)
  --auth-block-seconds S        the first refusal (default 30; doubled per
                                repeat, up to 15 minutes)
  --http-rate-per-client N      requests per second per client address; more
                                get 429 (default 0: no limit)
  --http-rate-burst N           requests at once above that rate (default 100)
  --http-tls-cert FILE          HTTPS: the API's certificate (PEM) ...
  --http-tls-key FILE           ... and its key; the port then speaks TLS only
)";
}

}  // namespace sv::app
