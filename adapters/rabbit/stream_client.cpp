#include "adapters/rabbit/stream_client.hpp"

#include "adapters/errc.hpp"
#include "adapters/rabbit/stream_frames.hpp"
#include "adapters/rabbit/tcp_connection.hpp"

namespace sv::adapters::rabbit {

namespace {

using clock = std::chrono::steady_clock;

// Commands of the stream protocol (version 1) used here.
enum : uint16_t {
  cmd_subscribe = 0x0007,
  cmd_deliver = 0x0008,
  cmd_unsubscribe = 0x000c,
  cmd_peer_properties = 0x0011,
  cmd_sasl_handshake = 0x0012,
  cmd_sasl_authenticate = 0x0013,
  cmd_tune = 0x0014,
  cmd_open = 0x0015,
  cmd_close = 0x0016,
  cmd_heartbeat = 0x0017,
  cmd_partitions = 0x0019,
  response_bit = 0x8000,
};

// Response codes.
enum : uint16_t {
  code_ok = 1,
  code_stream_does_not_exist = 2,
  code_authentication_failure = 8,
  code_authentication_failure_loopback = 11,
  code_vhost_access_failure = 12,
  code_access_refused = 16,
};

class socket_client final : public stream_client {
 public:
  socket_client(endpoint ep, std::chrono::milliseconds timeout)
      : ep_(std::move(ep)),
        timeout_(timeout),
        tcp_("RabbitMQ stream port " + ep_.host + ":" + std::to_string(ep_.port)) {}
  ~socket_client() override {
    if (tcp_.is_open()) {
      frame_writer w;
      w.u16(cmd_close);
      w.u16(1);
      w.u32(next_id_++);
      w.u16(code_ok);
      w.str("bye");
      (void)tcp_.send_all(w.frame(), clock::now() + std::chrono::milliseconds{200});
    }
  }

  caf::error connect() {
    auto deadline = clock::now() + timeout_;
    if (auto err = tcp_.open(ep_.host, ep_.port, deadline)) return err;
    {
      frame_writer w;
      w.u16(cmd_peer_properties);
      w.u16(1);
      w.u32(next_id_++);
      w.u32(1);
      w.str("product");
      w.str("streamvisor");
      if (auto r = rpc(w, deadline); !r) return r.error();
    }
    {
      frame_writer w;
      w.u16(cmd_sasl_handshake);
      w.u16(1);
      w.u32(next_id_++);
      if (auto r = rpc(w, deadline); !r) return r.error();
    }
    {
      frame_writer w;
      w.u16(cmd_sasl_authenticate);
      w.u16(1);
      w.u32(next_id_++);
      w.str("PLAIN");
      w.bytes(std::string{'\0'} + ep_.username + '\0' + ep_.password);
      if (auto r = rpc(w, deadline); !r) return r.error();
    }
    // The server tunes; the answer proposes no heartbeats.
    for (;;) {
      auto f = read_frame(deadline);
      if (!f) return f.error();
      frame_reader r{*f};
      if (r.u16() != cmd_tune) continue;
      (void)r.u16();
      auto frame_max = r.u32();
      frame_writer w;
      w.u16(cmd_tune);
      w.u16(1);
      w.u32(frame_max == 0 ? max_frame : std::min(frame_max, max_frame));
      w.u32(0);
      if (auto err = tcp_.send_all(w.frame(), deadline)) return err;
      break;
    }
    frame_writer w;
    w.u16(cmd_open);
    w.u16(1);
    w.u32(next_id_++);
    w.str(ep_.vhost);
    if (auto r = rpc(w, deadline); !r) return r.error();
    return {};
  }

  caf::expected<std::vector<std::string>> partitions(
      const std::string& super_stream) override {
    auto deadline = clock::now() + timeout_;
    frame_writer w;
    w.u16(cmd_partitions);
    w.u16(1);
    w.u32(next_id_++);
    w.str(super_stream);
    auto body = rpc(w, deadline, "super stream '" + super_stream + "'");
    if (!body) return body.error();
    frame_reader r{*body};
    auto n = static_cast<int32_t>(r.u32());
    std::vector<std::string> out;
    for (int32_t i = 0; i < n && r.ok(); ++i) out.push_back(r.str());
    if (!r.ok())
      return make_error(errc::stream_failed, "a malformed Partitions response");
    if (out.empty())
      return make_error(errc::unknown_topic, "super stream '" + super_stream +
                                                 "' does not exist (no partitions)");
    return out;
  }

  caf::expected<std::vector<chunk_bound>> bounds(
      const std::vector<std::string>& streams, bool last,
      std::chrono::milliseconds wait) override {
    std::vector<chunk_bound> out;
    // Up to 200 subscriptions at a time (their ids are one byte).
    for (size_t from = 0; from < streams.size(); from += 200) {
      std::vector<std::string> part(
          streams.begin() + static_cast<std::ptrdiff_t>(from),
          streams.begin() +
              static_cast<std::ptrdiff_t>(std::min(streams.size(), from + 200)));
      auto b = bounds_of(part, last, wait);
      if (!b) return b.error();
      out.insert(out.end(), b->begin(), b->end());
    }
    return out;
  }

 private:
  // Subscribes to every stream at once (one chunk of credit each) and waits
  // up to `wait` for their chunks: a stream without one is empty.
  caf::expected<std::vector<chunk_bound>> bounds_of(
      const std::vector<std::string>& streams, bool last,
      std::chrono::milliseconds wait) {
    auto deadline = clock::now() + timeout_;
    std::vector<chunk_bound> out(streams.size());
    std::vector<bool> answered(streams.size(), false);
    delivers_.clear();
    for (size_t i = 0; i < streams.size(); ++i) {
      frame_writer w;
      w.u16(cmd_subscribe);
      w.u16(1);
      w.u32(next_id_++);
      w.u8(static_cast<uint8_t>(i));
      w.str(streams[i]);
      w.u16(last ? 2 : 1);  // offset spec: first / last
      w.u16(1);             // credit: one chunk
      w.u32(0);             // no properties
      if (auto r = rpc(w, deadline, "stream '" + streams[i] + "'"); !r) return r.error();
    }
    size_t left = streams.size();
    auto until = std::min(deadline, clock::now() + wait);
    auto take = [&](const std::string& f) -> caf::error {
      frame_reader r{f};
      (void)r.u16();
      (void)r.u16();
      auto sub = r.u8();
      (void)r.u8();   // magic and version
      (void)r.u8();   // chunk type
      (void)r.u16();  // entries
      auto records = r.u32();
      (void)r.u64();  // timestamp
      (void)r.u64();  // epoch
      auto first = r.u64();
      if (!r.ok()) return make_error(errc::stream_failed, "a malformed Deliver frame");
      if (sub < streams.size() && !answered[sub]) {
        answered[sub] = true;
        out[sub] = chunk_bound{false, first, records};
        --left;
      }
      return {};
    };
    for (const auto& f : delivers_)
      if (auto err = take(f)) return err;
    delivers_.clear();
    while (left > 0) {
      auto f = read_frame(until, /*idle_ok=*/true);
      if (!f) return f.error();
      if (f->empty()) break;  // nothing more within `wait`: the rest are empty
      frame_reader r{*f};
      if (r.u16() != cmd_deliver) continue;
      if (auto err = take(*f)) return err;
    }
    for (size_t i = 0; i < streams.size(); ++i) {
      frame_writer u;
      u.u16(cmd_unsubscribe);
      u.u16(1);
      u.u32(next_id_++);
      u.u8(static_cast<uint8_t>(i));
      if (auto r = rpc(u, deadline); !r) return r.error();
    }
    delivers_.clear();
    return out;
  }

  // The next frame's body (command onwards); with `idle_ok`, an empty string
  // when nothing started to arrive by the deadline. Heartbeats are skipped.
  caf::expected<std::string> read_frame(clock::time_point deadline,
                                        bool idle_ok = false) {
    for (;;) {
      char size_buf[4];
      bool idle = false;
      if (auto err = tcp_.read_exact(size_buf, 4, deadline, idle_ok ? &idle : nullptr))
        return err;
      if (idle) return std::string{};
      uint32_t size = (static_cast<uint32_t>(static_cast<uint8_t>(size_buf[0])) << 24) |
                      (static_cast<uint32_t>(static_cast<uint8_t>(size_buf[1])) << 16) |
                      (static_cast<uint32_t>(static_cast<uint8_t>(size_buf[2])) << 8) |
                      static_cast<uint32_t>(static_cast<uint8_t>(size_buf[3]));
      if (size < 4 || size > max_frame)
        return make_error(errc::stream_failed,
                          "a stream frame of " + std::to_string(size) + " bytes");
      std::string body(size, '\0');
      // Once a frame started, the rest must follow within the call's timeout.
      auto rest = std::max(deadline, clock::now() + timeout_);
      if (auto err = tcp_.read_exact(body.data(), size, rest, nullptr)) return err;
      frame_reader r{body};
      if ((r.u16() & ~response_bit) == cmd_heartbeat) continue;
      return body;
    }
  }

  // Sends a request and returns its response's body after the response code
  // (RabbitMQ 3.10 answers Partitions without the response bit: matched by
  // command and correlation id alone).
  caf::expected<std::string> rpc(const frame_writer& w, clock::time_point deadline,
                                 const std::string& subject = {}) {
    auto frame = w.frame();
    frame_reader q{frame};
    (void)q.u32();
    auto key = q.u16();
    (void)q.u16();
    auto id = q.u32();
    if (auto err = tcp_.send_all(frame, deadline)) return err;
    for (;;) {
      auto f = read_frame(deadline);
      if (!f) return f.error();
      frame_reader r{*f};
      auto rkey = static_cast<uint16_t>(r.u16() & ~response_bit);
      (void)r.u16();
      if (rkey == cmd_close) {
        (void)r.u32();
        auto code = r.u16();
        return make_error(errc::stream_failed, "the server closed the connection (code " +
                                                   std::to_string(code) +
                                                   "): " + r.str());
      }
      if (rkey == cmd_deliver) {
        delivers_.push_back(std::move(*f));
        continue;
      }
      if (rkey != key) continue;
      if (r.u32() != id) continue;
      auto code = r.u16();
      if (!r.ok()) return make_error(errc::stream_failed, "a malformed response");
      if (code != code_ok) return response_error(code, subject);
      return f->substr(10);
    }
  }

  caf::error response_error(uint16_t code, const std::string& subject) const {
    auto where = ep_.host + ":" + std::to_string(ep_.port);
    switch (code) {
      case code_stream_does_not_exist:
        return make_error(errc::unknown_topic,
                          (subject.empty() ? "the stream" : subject) + " does not exist");
      case code_authentication_failure:
      case code_authentication_failure_loopback:
        return make_error(errc::authorization_failed,
                          "RabbitMQ " + where + " refused the credentials of user '" +
                              ep_.username + "'");
      case code_vhost_access_failure:
        return make_error(errc::authorization_failed,
                          "RabbitMQ " + where + ": user '" + ep_.username +
                              "' may not use virtual host '" + ep_.vhost + "'");
      case code_access_refused:
        return make_error(errc::authorization_failed,
                          "RabbitMQ " + where + " refused access to " + subject);
      default:
        return make_error(errc::stream_failed,
                          "RabbitMQ " + where + " answered code " + std::to_string(code) +
                              (subject.empty() ? "" : " for " + subject));
    }
  }

  endpoint ep_;
  std::chrono::milliseconds timeout_;
  tcp_connection tcp_;
  uint32_t next_id_ = 1;
  std::vector<std::string> delivers_;  ///< Deliver frames read while awaiting a response
};

}  // namespace

caf::expected<std::unique_ptr<stream_client>> connect_stream_client(
    const endpoint& ep, std::chrono::milliseconds timeout) {
  auto c = std::make_unique<socket_client>(ep, timeout);
  if (auto err = c->connect()) return err;
  return std::unique_ptr<stream_client>(std::move(c));
}

}  // namespace sv::adapters::rabbit
