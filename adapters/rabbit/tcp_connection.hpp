#pragma once
// A blocking TCP connection with deadlines (non-blocking socket + poll), for
// the stream-protocol client. Every failure is errc::stream_unreachable,
// prefixed with `where` (e.g. "RabbitMQ stream port host:5552").

#include <chrono>
#include <string>

#include <caf/error.hpp>

namespace sv::adapters::rabbit {

class tcp_connection {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit tcp_connection(std::string where) : where_(std::move(where)) {}
  ~tcp_connection() { close(); }
  tcp_connection(const tcp_connection&) = delete;
  tcp_connection& operator=(const tcp_connection&) = delete;

  caf::error open(const std::string& host, uint16_t port, time_point deadline);
  bool is_open() const { return fd_ >= 0; }
  void close();

  caf::error send_all(const std::string& data, time_point deadline);
  /// Reads exactly `n` bytes. With `idle` set, nothing at all arriving by the
  /// deadline is no error: *idle becomes true.
  caf::error read_exact(char* out, size_t n, time_point deadline, bool* idle = nullptr);

  /// The error for `what` at this connection.
  caf::error unreachable(const std::string& what) const;

 private:
  std::string where_;
  int fd_ = -1;
};

}  // namespace sv::adapters::rabbit
