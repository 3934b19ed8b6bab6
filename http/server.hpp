#pragma once
// The HTTP server: libmicrohttpd (event-driven: epoll polling threads, so idle
// and slow connections cost a file descriptor and a little memory, never a
// thread) in front of a pool of worker threads that run the handler. Knows
// nothing about actors: every request goes to one handler function, called
// on a worker thread; the connection is suspended meanwhile.
//
// Limits (server_limits): connections in all, headers (bytes, and the time
// they may take to arrive), body bytes, idle time, queued requests. What
// breaks a limit is refused (431, 413, 503) or closed, never waited for.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace sv::http {

struct caller;  // http/access.hpp

struct request {
  std::string method;                              ///< GET, POST, ...
  std::string path;                                ///< decoded, without the query
  std::multimap<std::string, std::string> params;  ///< query parameters
  std::string body;
  std::string content_type;
  std::string remote_addr;
  std::string authorization;   ///< the Authorization header
  std::string requested_with;  ///< the X-Requested-With header
  /// Who sent it, once authenticated (http/security.hpp); null when the API
  /// runs without authentication.
  std::shared_ptr<const caller> who;

  bool has_param(const std::string& key) const { return params.count(key) > 0; }
  std::string param(const std::string& key) const {
    auto i = params.find(key);
    return i == params.end() ? std::string{} : i->second;
  }
};

struct response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers{};  ///< extra headers
};

/// Called on a handler thread; may annotate the request (its caller).
using handler = std::function<response(request&)>;

struct server_limits {
  /// Handler threads (requests handled at once); polling threads are extra.
  size_t threads = 16;
  /// Open connections in all; more are refused at accept.
  size_t max_connections = 4096;
  /// Request line plus headers, in bytes (431 beyond).
  size_t max_header_bytes = 32 * 1024;
  /// Request body, in bytes (413 beyond).
  size_t max_body_bytes = 16 * 1024 * 1024;
  /// A request's headers must be complete this soon after the connection
  /// opened or the previous response went (slowloris); closed otherwise.
  std::chrono::seconds header_timeout{30};
  /// A connection with no traffic for this long is closed.
  std::chrono::seconds idle_timeout{60};
  /// Requests waiting for a handler thread; more get 503.
  size_t max_queued = 1024;
  /// HTTPS: the server's certificate (PEM, chain allowed) and its private
  /// key (PEM). Both set: the port speaks TLS only; both empty: plain HTTP.
  std::string tls_cert_pem{};
  std::string tls_key_pem{};
};

class server {
 public:
  virtual ~server() = default;
  /// The port actually bound (useful with port 0).
  virtual uint16_t port() const = 0;
  /// Stops accepting, lets handlers in flight finish (for up to a few
  /// seconds), closes every connection. Idempotent.
  virtual void stop() = 0;
};

/// Binds `host:port` (0 = any free port) and serves `h`.
caf::expected<std::unique_ptr<server>> start_server(const std::string& host,
                                                    uint16_t port, handler h,
                                                    server_limits limits = {});

}  // namespace sv::http
