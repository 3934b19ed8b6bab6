// The HTTP server on libmicrohttpd. Two epoll polling threads own every
// connection; a request whose headers and body have arrived is suspended and
// handed to a worker thread, which runs the handler and resumes it with the
// response. A sweeper closes connections whose headers take too long.

#include "http/server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include <microhttpd.h>

#include "core/errc.hpp"

namespace sv::http {

namespace {

using steady = std::chrono::steady_clock;

// One request handed to the workers. Guarded by shared::mtx.
struct job {
  enum class state { queued, running, done, abandoned };
  MHD_Connection* conn = nullptr;
  request req;
  response res;
  state st = state::queued;
};

// What the workers need; shared so that a worker stuck in its handler past
// the server's stop never touches freed memory.
struct shared {
  handler h;
  std::mutex mtx;
  std::condition_variable cv;
  std::deque<std::shared_ptr<job>> queue;
  std::set<std::shared_ptr<job>> active;  ///< queued or running
  size_t running = 0;
  bool stopping = false;
};

// Per connection (MHD's socket context), for the header deadline.
struct conn_info {
  int fd = -1;
  steady::time_point since;  ///< when the current request's headers began
  bool in_headers = true;
  bool cut = false;
};

// Per request (MHD's con_cls).
struct exchange {
  std::shared_ptr<job> j;
  bool dispatched = false;  ///< handed to the workers (the connection is suspended)
  bool refused = false;     ///< answered early (413); the rest is dropped
};

response error(int status, const std::string& message) {
  return response{status, "{\"error\":\"" + message + "\"}", "application/json", {}};
}

MHD_Result queue(MHD_Connection* c, const response& r, bool close = false) {
  auto* m = MHD_create_response_from_buffer(
      r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
  if (!m) return MHD_NO;
  MHD_add_response_header(m, "Content-Type", r.content_type.c_str());
  for (const auto& [k, v] : r.headers) MHD_add_response_header(m, k.c_str(), v.c_str());
  if (close) MHD_add_response_header(m, "Connection", "close");
  auto ok = MHD_queue_response(c, static_cast<unsigned>(r.status), m);
  MHD_destroy_response(m);
  return ok;
}

std::string client_address(MHD_Connection* c) {
  auto* ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || !ci->client_addr) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  const sockaddr* a = ci->client_addr;
  if (a->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, buf,
              sizeof buf);
  else if (a->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, buf,
              sizeof buf);
  return buf;
}

MHD_Result add_param(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<request*>(cls)->params.emplace(key ? key : "", value ? value : "");
  return MHD_YES;
}

class mhd_server final : public server {
 public:
  ~mhd_server() override { stop(); }

  caf::error start(const std::string& host, uint16_t port, handler h, server_limits l) {
    limits_ = l;
    shared_->h = std::move(h);
    sockaddr_storage addr{};
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
    if (auto err = resolve(host, port, addr, flags)) return err;
    // TLS through libmicrohttpd's GnuTLS; the PEM texts live in limits_.
    std::vector<MHD_OptionItem> tls{{MHD_OPTION_END, 0, nullptr}};
    if (!l.tls_cert_pem.empty() || !l.tls_key_pem.empty()) {
      if (l.tls_cert_pem.empty() || l.tls_key_pem.empty())
        return core::make_error(core::errc::invalid_input,
                                "HTTPS needs both a certificate and a key");
      if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return core::make_error(core::errc::unsupported,
                                "this libmicrohttpd was built without TLS");
      flags |= MHD_USE_TLS;
      tls = {
          {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(limits_.tls_cert_pem.c_str())},
          {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(limits_.tls_key_pem.c_str())},
          {MHD_OPTION_END, 0, nullptr}};
    }
    daemon_ = MHD_start_daemon(
        flags, port, nullptr, nullptr, &mhd_server::on_request, this,
        MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr),
        MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT,
        static_cast<unsigned>(l.max_connections), MHD_OPTION_CONNECTION_TIMEOUT,
        static_cast<unsigned>(l.idle_timeout.count()), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        l.max_header_bytes + 8192, MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
        MHD_OPTION_NOTIFY_COMPLETED, &mhd_server::on_completed, this,
        MHD_OPTION_NOTIFY_CONNECTION, &mhd_server::on_connection, this, MHD_OPTION_ARRAY,
        tls.data(), MHD_OPTION_END);
    if (!daemon_)
      return core::make_error(
          core::errc::unavailable,
          "cannot listen on " + host + ":" + std::to_string(port) +
              (l.tls_cert_pem.empty() ? " (address in use or not available)"
                                      : " (address in use or not available, or the "
                                        "TLS certificate or key is not usable)"));
    auto* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    port_ = info ? info->port : port;
    for (size_t i = 0; i < l.threads; ++i)
      workers_.emplace_back([s = shared_] { work(*s); });
    sweeper_ = std::thread{[this] { sweep(); }};
    return {};
  }

  uint16_t port() const override { return port_; }

  void stop() override {
    if (stopped_.exchange(true) || !daemon_) return;
    int listen_fd = MHD_quiesce_daemon(daemon_);
    {
      std::unique_lock<std::mutex> g{shared_->mtx};
      shared_->stopping = true;
      shared_->cv.notify_all();
      // Handlers in flight get a few seconds; what is left is answered 503.
      shared_->cv.wait_for(g, std::chrono::seconds{3}, [&] {
        return shared_->running == 0 && shared_->queue.empty();
      });
      for (const auto& j : shared_->active) {
        j->res = error(503, "the node is stopping");
        j->st = job::state::abandoned;
        MHD_resume_connection(j->conn);
      }
      shared_->active.clear();
      shared_->queue.clear();
    }
    for (auto& w : workers_) w.detach();  // idle ones exit; a stuck one holds `shared`
    {
      std::lock_guard<std::mutex> g{conns_mtx_};
      sweeping_ = false;
    }
    sweep_cv_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
    if (listen_fd >= 0) ::close(listen_fd);
  }

 private:
  static caf::error resolve(const std::string& host, uint16_t port, sockaddr_storage& out,
                            unsigned& flags) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    auto service = std::to_string(port);
    if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &res) != 0 || !res)
      return core::make_error(core::errc::invalid_input,
                              "cannot resolve the listen address '" + host + "'");
    std::memcpy(&out, res->ai_addr, res->ai_addrlen);
    if (res->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    ::freeaddrinfo(res);
    return {};
  }

  // A worker: takes a job, runs the handler, resumes the connection.
  static void work(shared& s) {
    std::unique_lock<std::mutex> g{s.mtx};
    while (true) {
      s.cv.wait(g, [&] { return s.stopping || !s.queue.empty(); });
      if (s.queue.empty()) return;  // stopping
      auto j = s.queue.front();
      s.queue.pop_front();
      j->st = job::state::running;
      ++s.running;
      g.unlock();
      response r;
      try {
        r = s.h(j->req);
      } catch (const std::exception& e) {
        // Handlers return errors as values; this only guards the thread.
        r = error(500, std::string{"internal error: "} + e.what());
      }
      g.lock();
      --s.running;
      if (j->st == job::state::running) {
        j->res = std::move(r);
        j->st = job::state::done;
        s.active.erase(j);
        MHD_resume_connection(j->conn);
      }
      s.cv.notify_all();
    }
  }

  static MHD_Result on_request(void* cls, MHD_Connection* c, const char* url,
                               const char* method, const char*, const char* data,
                               size_t* size, void** con_cls) {
    auto* self = static_cast<mhd_server*>(cls);
    auto* x = static_cast<exchange*>(*con_cls);
    if (!x) return self->begin(c, url, method, con_cls);
    if (x->refused) {
      *size = 0;  // answered already; the rest of the body is dropped
      return MHD_YES;
    }
    if (*size > 0) {
      auto& body = x->j->req.body;
      if (body.size() + *size > self->limits_.max_body_bytes) {
        x->refused = true;
        *size = 0;
        return queue(c, self->too_large(), true);
      }
      body.append(data, *size);
      *size = 0;
      return MHD_YES;
    }
    if (!x->dispatched) return self->dispatch(c, *x);
    // Resumed by a worker (or by stop): the response is ready.
    std::lock_guard<std::mutex> g{self->shared_->mtx};
    return queue(c, x->j->res, x->j->st == job::state::abandoned);
  }

  MHD_Result begin(MHD_Connection* c, const char* url, const char* method,
                   void** con_cls) {
    if (auto* ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        ci && ci->socket_context) {
      std::lock_guard<std::mutex> g{conns_mtx_};
      static_cast<conn_info*>(ci->socket_context)->in_headers = false;
    }
    auto* x = new exchange;
    *con_cls = x;
    x->j = std::make_shared<job>();
    x->j->conn = c;
    auto& req = x->j->req;
    req.method = method;
    req.path = url;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, &add_param, &req);
    if (auto* type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"))
      req.content_type = type;
    req.remote_addr = client_address(c);
    if (auto* a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"))
      req.authorization = a;
    if (auto* x = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Requested-With"))
      req.requested_with = x;
    auto* length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (length) {
      auto n = std::strtoull(length, nullptr, 10);
      if (n > limits_.max_body_bytes) {
        x->refused = true;
        return queue(c, too_large(), true);
      }
      req.body.reserve(n);
    }
    return MHD_YES;
  }

  MHD_Result dispatch(MHD_Connection* c, exchange& x) {
    std::lock_guard<std::mutex> g{shared_->mtx};
    if (shared_->stopping) return queue(c, error(503, "the node is stopping"), true);
    if (shared_->queue.size() >= limits_.max_queued)
      return queue(c, error(503, "too many requests in flight; retry"));
    x.dispatched = true;
    shared_->active.insert(x.j);
    shared_->queue.push_back(x.j);
    MHD_suspend_connection(c);
    shared_->cv.notify_one();
    return MHD_YES;
  }

  response too_large() const {
    return error(413, "request body larger than " +
                          std::to_string(limits_.max_body_bytes) + " bytes");
  }

  static void on_completed(void* cls, MHD_Connection* c, void** con_cls,
                           MHD_RequestTerminationCode) {
    auto* self = static_cast<mhd_server*>(cls);
    delete static_cast<exchange*>(*con_cls);
    *con_cls = nullptr;
    if (auto* ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        ci && ci->socket_context) {
      std::lock_guard<std::mutex> g{self->conns_mtx_};
      auto* info = static_cast<conn_info*>(ci->socket_context);
      info->in_headers = true;
      info->since = steady::now();
    }
  }

  static void on_connection(void* cls, MHD_Connection* c, void** socket_context,
                            MHD_ConnectionNotificationCode code) {
    auto* self = static_cast<mhd_server*>(cls);
    std::lock_guard<std::mutex> g{self->conns_mtx_};
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* info = new conn_info;
      if (auto* ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD))
        info->fd = ci->connect_fd;
      info->since = steady::now();
      *socket_context = info;
      self->conns_.insert(info);
    } else if (*socket_context) {
      auto* info = static_cast<conn_info*>(*socket_context);
      self->conns_.erase(info);
      delete info;
      *socket_context = nullptr;
    }
  }

  // Closes connections whose request headers are overdue (slowloris). MHD
  // reports a connection closed (and forgets it) before closing its socket,
  // so every fd here is still the connection's own.
  void sweep() {
    std::unique_lock<std::mutex> g{conns_mtx_};
    while (sweeping_) {
      sweep_cv_.wait_for(g, std::chrono::milliseconds{500});
      auto now = steady::now();
      for (auto* info : conns_)
        if (info->in_headers && !info->cut && info->fd >= 0 &&
            now - info->since > limits_.header_timeout) {
          info->cut = true;
          ::shutdown(info->fd, SHUT_RDWR);
        }
    }
  }

  server_limits limits_;
  std::shared_ptr<shared> shared_ = std::make_shared<shared>();
  MHD_Daemon* daemon_ = nullptr;
  uint16_t port_ = 0;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopped_{false};
  std::mutex conns_mtx_;
  std::set<conn_info*> conns_;
  bool sweeping_ = true;
  std::condition_variable sweep_cv_;
  std::thread sweeper_;
};

}  // namespace

caf::expected<std::unique_ptr<server>> start_server(const std::string& host,
                                                    uint16_t port, handler h,
                                                    server_limits limits) {
  auto s = std::make_unique<mhd_server>();
  if (auto err = s->start(host, port, std::move(h), limits)) return err;
  return std::unique_ptr<server>{std::move(s)};
}

}  // namespace sv::http
