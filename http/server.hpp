#pragma once
// A small HTTP server over cpp-httplib. Knows nothing about actors: every
// request goes to one handler function, called on the server's worker
// threads. TCP_NODELAY on, listen backlog widened, SO_REUSEADDR instead of
// httplib's SO_REUSEPORT (so a second node on the same port fails to start).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <caf/expected.hpp>

namespace sv::http {

struct request {
  std::string method;                              ///< GET, POST, ...
  std::string path;                                ///< decoded, without the query
  std::multimap<std::string, std::string> params;  ///< query parameters
  std::string body;
  std::string content_type;
  std::string remote_addr;

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
};

using handler = std::function<response(const request&)>;

class server {
 public:
  virtual ~server() = default;
  /// The port actually bound (useful with port 0).
  virtual uint16_t port() const = 0;
  /// Stops accepting and joins the listener thread. Idempotent.
  virtual void stop() = 0;
};

/// Binds `host:port` (0 = any free port) and serves `h` on `threads` workers.
caf::expected<std::unique_ptr<server>> start_server(const std::string& host,
                                                    uint16_t port, handler h,
                                                    size_t threads = 16);

}  // namespace sv::http
