#pragma once
// One AMQP 0-9-1 connection to RabbitMQ on rabbitmq-c, shared by the stream
// reader and the producer: connect and log in within a timeout, and turn
// rabbitmq-c's replies into adapters::errc values with the broker's text
// (connection refused or dropped: stream_unreachable; ACCESS_REFUSED or a
// refused login: authorization_failed; NOT_FOUND: unknown_topic).

#include <chrono>
#include <string>

#include <amqp.h>

#include <caf/error.hpp>

#include "core/stream/rabbit_endpoint.hpp"

namespace sv::adapters::rabbit {

class amqp_session {
 public:
  explicit amqp_session(core::stream::rabbit_endpoint ep) : ep_(std::move(ep)) {}
  ~amqp_session() { close(); }
  amqp_session(const amqp_session&) = delete;
  amqp_session& operator=(const amqp_session&) = delete;

  /// Opens the connection (any earlier one is dropped).
  caf::error open(std::chrono::milliseconds timeout);
  /// Closes politely if open; always frees the connection.
  void close();
  bool is_open() const { return conn_ != nullptr; }
  amqp_connection_state_t conn() const { return conn_; }
  const core::stream::rabbit_endpoint& endpoint() const { return ep_; }

  /// Opens channel `ch`; the error of the broker's reply otherwise.
  caf::error open_channel(amqp_channel_t ch);
  /// The error of the last RPC's reply (none when it succeeded); `what`
  /// prefixes the message (e.g. "consuming stream 'metrics-0'").
  caf::error check_reply(const std::string& what);
  /// The error for a rabbitmq-c library status (a socket error, a timeout).
  caf::error library_error(int status, const std::string& what) const;
  /// The error for a channel.close or connection.close the broker sent.
  caf::error server_close(const amqp_method_t& m, const std::string& what) const;

  std::string where() const;

 private:
  core::stream::rabbit_endpoint ep_;
  amqp_connection_state_t conn_ = nullptr;
};

}  // namespace sv::adapters::rabbit
