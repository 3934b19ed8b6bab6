#pragma once
// A minimal blocking client of RabbitMQ's stream protocol (port 5552), for
// what AMQP 0-9-1 cannot tell: a super stream's partitions (Partitions) and a
// stream's first and next offsets (Subscribe at "first" / "last" and the
// header of the chunk delivered). RabbitMQ 3.10 has no StreamStats command.
//
// One connection per client, PLAIN authentication, no heartbeats (short-lived
// connections). Errors are values (adapters::errc): stream_unreachable
// (connect, I/O or a timeout), authorization_failed, unknown_topic (no such
// stream or super stream), stream_failed (any other response code).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace sv::adapters::rabbit {

struct endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 5552;
  std::string username = "guest";
  std::string password = "guest";
  std::string vhost = "/";
};

/// What Subscribe reports of one end of a stream.
struct chunk_bound {
  bool empty = true;     ///< no chunk was delivered: the stream holds no records
  uint64_t first = 0;    ///< the chunk's first offset
  uint32_t records = 0;  ///< records in the chunk
};

class stream_client {
 public:
  virtual ~stream_client() = default;

  /// The member streams of a super stream, in partition order.
  virtual caf::expected<std::vector<std::string>> partitions(
      const std::string& super_stream) = 0;

  /// The first (`last` false) or last (`last` true) chunk holding records of
  /// each stream, asked of all at once. A stream that received records keeps
  /// at least one chunk, so no chunk within `wait` means an empty stream.
  virtual caf::expected<std::vector<chunk_bound>> bounds(
      const std::vector<std::string>& streams, bool last,
      std::chrono::milliseconds wait) = 0;
};

/// Connects, authenticates and opens the virtual host within `timeout`.
caf::expected<std::unique_ptr<stream_client>> connect_stream_client(
    const endpoint& ep, std::chrono::milliseconds timeout);

}  // namespace sv::adapters::rabbit
