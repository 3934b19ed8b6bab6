#include "adapters/rabbit/amqp_session.hpp"

#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

#include "adapters/errc.hpp"

namespace sv::adapters::rabbit {

namespace {

std::string text(amqp_bytes_t b) {
  return {static_cast<const char*>(b.bytes), b.len};
}

// AMQP reply codes that say what went wrong.
constexpr uint16_t access_refused = 403;
constexpr uint16_t not_found = 404;

}  // namespace

std::string amqp_session::where() const {
  return "RabbitMQ " + ep_.amqp_host + ":" + std::to_string(ep_.amqp_port);
}

caf::error amqp_session::open(std::chrono::milliseconds timeout) {
  close();
  conn_ = amqp_new_connection();
  auto* socket = amqp_tcp_socket_new(conn_);
  if (!socket) {
    close();
    return make_error(errc::stream_failed, "cannot create an AMQP socket");
  }
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  if (int rc =
          amqp_socket_open_noblock(socket, ep_.amqp_host.c_str(), ep_.amqp_port, &tv);
      rc != AMQP_STATUS_OK) {
    auto err = library_error(rc, "connecting");
    close();
    return err;
  }
  // Connection-level RPCs wait at most this long from now on.
  (void)amqp_set_rpc_timeout(conn_, &tv);
  auto r = amqp_login(conn_, ep_.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                      ep_.username.c_str(), ep_.password.c_str());
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    caf::error err;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        r.library_error == AMQP_STATUS_CONNECTION_CLOSED)
      // RabbitMQ drops the connection on a refused login.
      err = make_error(errc::authorization_failed,
                       where() + " refused the login of user '" + ep_.username +
                           "' to virtual host '" + ep_.vhost + "'");
    else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
      err = library_error(r.library_error, "logging in");
    else
      err = server_close(r.reply, "logging in");
    amqp_destroy_connection(conn_);
    conn_ = nullptr;
    return err;
  }
  return {};
}

void amqp_session::close() {
  if (!conn_) return;
  (void)amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn_);
  conn_ = nullptr;
}

caf::error amqp_session::open_channel(amqp_channel_t ch) {
  amqp_channel_open(conn_, ch);
  return check_reply("opening a channel");
}

caf::error amqp_session::check_reply(const std::string& what) {
  auto r = amqp_get_rpc_reply(conn_);
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return {};
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return library_error(r.library_error, what);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      return server_close(r.reply, what);
    default:
      return make_error(errc::stream_failed, where() + ": " + what + ": no reply");
  }
}

caf::error amqp_session::library_error(int status, const std::string& what) const {
  auto msg = where() + ": " + what + ": " + amqp_error_string2(status);
  switch (status) {
    case AMQP_STATUS_SOCKET_ERROR:
    case AMQP_STATUS_CONNECTION_CLOSED:
    case AMQP_STATUS_TIMEOUT:
    case AMQP_STATUS_TCP_ERROR:
    case AMQP_STATUS_SOCKET_CLOSED:
    case AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED:
    case AMQP_STATUS_HEARTBEAT_TIMEOUT:
      return make_error(errc::stream_unreachable, msg);
    default:
      return make_error(errc::stream_failed, msg);
  }
}

caf::error amqp_session::server_close(const amqp_method_t& m,
                                      const std::string& what) const {
  uint16_t code = 0;
  std::string reply;
  if (m.id == AMQP_CHANNEL_CLOSE_METHOD) {
    auto* c = static_cast<amqp_channel_close_t*>(m.decoded);
    code = c->reply_code;
    reply = text(c->reply_text);
  } else if (m.id == AMQP_CONNECTION_CLOSE_METHOD) {
    auto* c = static_cast<amqp_connection_close_t*>(m.decoded);
    code = c->reply_code;
    reply = text(c->reply_text);
  } else {
    return make_error(
        errc::stream_failed,
        where() + ": " + what + ": unexpected method " + amqp_method_name(m.id));
  }
  auto msg = where() + ": " + what + ": " + reply;
  if (code == not_found) return make_error(errc::unknown_topic, msg);
  if (code == access_refused) return make_error(errc::authorization_failed, msg);
  if (m.id == AMQP_CONNECTION_CLOSE_METHOD && code == 320)  // CONNECTION_FORCED: shutdown
    return make_error(errc::stream_unreachable, msg);
  return make_error(errc::stream_failed, msg);
}

}  // namespace sv::adapters::rabbit
