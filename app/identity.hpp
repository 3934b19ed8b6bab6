#pragma once
// What a node says about itself over HTTP (http::node_identity): version,
// advertised host, task slots, where task logs live, and its effective
// options as Druid property names (GET /status/properties), secrets masked.

#include <memory>
#include <string>

#include "app/options.hpp"
#include "core/json.hpp"
#include "http/node_identity.hpp"

namespace sv::app {

/// streamvisor's version (the project's).
std::string version();

/// The host other processes reach this node at: the listen address, or the
/// machine's host name when it listens on every address.
std::string advertised_host(const serve_options& opts);

/// A metadata URI or libpq conninfo with its password replaced by <masked>.
std::string mask_password(const std::string& uri);

/// The node's effective options, keyed by Druid's property names where
/// Druid has one (druid.worker.capacity, druid.supervisor.*, ...).
core::json properties(const serve_options& opts, int32_t capacity);

/// Everything but the port (set once the HTTP server is bound).
std::shared_ptr<http::node_identity> make_identity(const serve_options& opts,
                                                   int32_t capacity);

}  // namespace sv::app
