#include "http/server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <thread>

#include <httplib.h>

#include "core/errc.hpp"

namespace sv::http {

namespace {

class httplib_server final : public server {
 public:
  httplib_server() = default;
  ~httplib_server() override { stop(); }

  caf::error start(const std::string& host, uint16_t port, handler h, size_t threads) {
    handler_ = std::move(h);
    svr_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    svr_.set_tcp_nodelay(true);
    svr_.set_keep_alive_max_count(1000);
    svr_.set_payload_max_length(64 * 1024 * 1024);
    svr_.set_socket_options([this](socket_t fd) {
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      listen_fd_ = fd;
    });
    auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
      request r;
      r.method = req.method;
      r.path = req.path;
      for (const auto& [k, v] : req.params) r.params.emplace(k, v);
      r.body = req.body;
      r.content_type = req.get_header_value("Content-Type");
      r.remote_addr = req.remote_addr;
      response out;
      try {
        out = handler_(r);
      } catch (const std::exception& e) {
        // Handlers return errors as values; this only guards the server thread.
        out = response{500,
                       std::string{R"({"error":"internal error: )"} + e.what() + "\"}"};
      }
      res.status = out.status;
      res.set_content(std::move(out.body), out.content_type.c_str());
    };
    // httplib 0.11 waits for a body until the read timeout when a POST has no
    // Content-Length (curl -X POST .../suspend). Such requests have no body:
    // answer them before httplib tries to read one.
    svr_.set_pre_routing_handler(
        [dispatch](const httplib::Request& req, httplib::Response& res) {
          bool may_have_body = req.method == "POST" || req.method == "PUT" ||
                               req.method == "PATCH" || req.method == "DELETE";
          if (!may_have_body || req.has_header("Content-Length") ||
              req.has_header("Transfer-Encoding"))
            return httplib::Server::HandlerResponse::Unhandled;
          dispatch(req, res);
          return httplib::Server::HandlerResponse::Handled;
        });
    svr_.Get(".*", dispatch);
    svr_.Post(".*", dispatch);
    svr_.Put(".*", dispatch);
    svr_.Delete(".*", dispatch);
    int bound = port == 0 ? svr_.bind_to_any_port(host.c_str())
                          : (svr_.bind_to_port(host.c_str(), port) ? port : -1);
    if (bound < 0)
      return core::make_error(core::errc::unavailable,
                              "cannot listen on " + host + ":" + std::to_string(port) +
                                  " (address in use or not available)");
    port_ = static_cast<uint16_t>(bound);
    // httplib hard-codes a backlog of 5; widen it.
    if (listen_fd_ >= 0) ::listen(listen_fd_, 4096);
    thread_ = std::thread{[this] { svr_.listen_after_bind(); }};
    return {};
  }

  uint16_t port() const override { return port_; }

  void stop() override {
    if (stopped_.exchange(true)) return;
    svr_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  httplib::Server svr_;
  handler handler_;
  std::thread thread_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

caf::expected<std::unique_ptr<server>> start_server(const std::string& host,
                                                    uint16_t port, handler h,
                                                    size_t threads) {
  auto s = std::make_unique<httplib_server>();
  if (auto err = s->start(host, port, std::move(h), threads)) return err;
  return std::unique_ptr<server>{std::move(s)};
}

}  // namespace sv::http
