#pragma once
// Authentication of the HTTP API (Druid's basic authenticator): HTTP basic
// credentials checked against the users of the security document, which
// lives in the metadata store (adapters/config_store.hpp) so that every node
// of a cluster sees the same users; per-client limits on failed sign-ins and
// on request rate (core/auth/limits.hpp).
//
// The document is cached and read again when older than `refresh` (another
// node may have changed it) and after every change made here. A successful
// check of a password is remembered (adapters::verified_key) so PBKDF2 runs
// once per user and password, not once per request.
//
// Thread-safe: called from the HTTP handler threads.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include <caf/expected.hpp>

#include "adapters/config_store.hpp"
#include "core/auth/auth_db.hpp"
#include "core/auth/limits.hpp"
#include "http/server.hpp"

namespace sv::http {

struct security_options {
  /// Authentication and authorization on; off: every request is allowed
  /// (only the request rate applies).
  bool enabled = false;
  /// The metadata store holding the security document.
  std::string metadata_uri;
  /// The initial admin's password: used once, when the store holds no
  /// security document yet.
  std::string admin_password;
  /// Names in the management API's paths (Druid's authenticator and
  /// authorizer names).
  std::string authenticator = "basic";
  std::string authorizer = "basic";
  core::auth::sign_in_limits sign_in;
  /// Requests per second per client address (0: unlimited) and the burst.
  double rate_per_client = 0;
  double rate_burst = 100;
  std::chrono::milliseconds refresh{5000};
};

class security {
 public:
  /// Opens the store and, when enabled, loads the document (creating it with
  /// the initial admin if absent; errc::invalid_input without a password).
  static caf::expected<std::shared_ptr<security>> open(security_options o);

  /// Admits a request: the rate limit, then (when enabled) authentication,
  /// setting req.who. A response to send instead: 429 (too many requests or
  /// failed sign-ins, with Retry-After) or 401 (with WWW-Authenticate).
  std::optional<response> admit(request& req);

  const security_options& options() const { return opts_; }

  /// The document as last loaded (read again when stale).
  caf::expected<std::shared_ptr<const core::auth::auth_db>> current();

  /// Applies `change` to the latest stored document and stores the result,
  /// starting again if another node wrote in between.
  caf::error update(const std::function<caf::error(core::auth::auth_db&)>& change);

 private:
  explicit security(security_options o);
  caf::error load();  // requires store_mtx_
  std::optional<response> authenticate(request& req);

  security_options opts_;
  std::mutex store_mtx_;
  std::unique_ptr<adapters::config_store> store_;
  int64_t version_ = 0;
  std::chrono::steady_clock::time_point loaded_{};
  std::mutex db_mtx_;
  std::shared_ptr<const core::auth::auth_db> db_;
  std::mutex limits_mtx_;
  core::auth::sign_in_guard guard_;
  core::auth::request_rate rate_;
  std::mutex verified_mtx_;
  std::unordered_set<std::string> verified_;
};

/// The name of the security document in the config store.
inline constexpr const char* security_document = "security";

}  // namespace sv::http
