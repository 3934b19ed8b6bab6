#pragma once
// The serve options of the HTTP API's security: authentication on or off
// (and why), the initial admin's password, limits, HTTPS files.

#include <string>

#include <caf/expected.hpp>

#include "app/options.hpp"
#include "http/security.hpp"
#include "http/server.hpp"

namespace sv::app {

/// Sets a security option; `handled` false when `key` is none of them.
caf::error set_security_option(serve_options& o, const std::string& key,
                               const std::string& value, bool& handled);

/// Checks the security options together (after every flag is read).
caf::error check_security_options(const serve_options& o);

/// True when the API needs authentication: --auth on, or auto and the node
/// listens beyond loopback or runs as part of a cluster.
bool auth_required(const serve_options& o);

/// The HTTP layer's security options, reading the admin password's source.
caf::expected<http::security_options> make_security_options(const serve_options& o);

/// Reads the HTTPS certificate and key into `limits` (when configured).
caf::error load_https(const serve_options& o, http::server_limits& limits);

/// The flag reference of these options, for serve --help.
std::string security_usage();

}  // namespace sv::app
