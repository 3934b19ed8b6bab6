#include "adapters/rabbit/rabbit_reader.hpp"

#include <cstring>
#include <thread>
#include <unordered_map>

#include <amqp.h>
#include <amqp_framing.h>

#include "adapters/errc.hpp"
#include "adapters/rabbit/amqp_session.hpp"
#include "adapters/rabbit/stream_client.hpp"
#include "core/errc.hpp"

namespace sv::adapters {

namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Record values copied out of rabbitmq-c's buffers; views stay valid until
// the batch is cleared.
class arena {
 public:
  std::string_view copy(const void* p, size_t n) {
    if (n == 0) return {};
    if (blocks_.empty() || used_ + n > cap_) {
      cap_ = std::max<size_t>(n, 256 * 1024);
      blocks_.push_back(std::make_unique<char[]>(cap_));
      used_ = 0;
    }
    char* dst = blocks_.back().get() + used_;
    std::memcpy(dst, p, n);
    used_ += n;
    return {dst, n};
  }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0, cap_ = 0;
};

std::optional<int64_t> stream_offset_header(const amqp_basic_properties_t& props) {
  if (!(props._flags & AMQP_BASIC_HEADERS_FLAG)) return std::nullopt;
  for (int i = 0; i < props.headers.num_entries; ++i) {
    const auto& e = props.headers.entries[i];
    if (e.key.len != 15 || std::memcmp(e.key.bytes, "x-stream-offset", 15) != 0) continue;
    switch (e.value.kind) {
      case AMQP_FIELD_KIND_I64:
        return e.value.value.i64;
      case AMQP_FIELD_KIND_U64:
        return static_cast<int64_t>(e.value.value.u64);
      case AMQP_FIELD_KIND_I32:
        return e.value.value.i32;
      case AMQP_FIELD_KIND_U32:
        return e.value.value.u32;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

class rabbit_reader final : public stream_reader {
 public:
  explicit rabbit_reader(rabbit_reader_config cfg)
      : cfg_(std::move(cfg)), session_(cfg_.endpoint) {}
  ~rabbit_reader() override { close(); }

  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds timeout) override {
    auto c = stream_client(timeout);
    if (!c) return c.error();
    return (*c)->partitions(cfg_.super_stream);
  }

  caf::expected<core::offset_map> earliest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    return bounds(ps, timeout, false);
  }

  caf::expected<core::offset_map> latest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    return bounds(ps, timeout, true);
  }

  caf::error assign(const core::offset_map& start) override {
    if (closed_) return make_error(errc::stream_failed, "the reader is closed");
    // Dropping partitions and keeping the others where they are: cancel the
    // dropped consumers and read on.
    bool shrink = connected_ && !start.empty();
    for (const auto& [p, o] : start) {
      auto it = positions_.find(p);
      if (it == positions_.end() || it->second != o) shrink = false;
    }
    if (shrink) {
      for (auto it = positions_.begin(); it != positions_.end();) {
        if (start.count(it->first)) {
          ++it;
          continue;
        }
        auto tag = it->first;
        amqp_basic_cancel(session_.conn(), channel_, amqp_cstring_bytes(tag.c_str()));
        if (auto err = session_.check_reply("cancelling the consumer of '" + tag + "'"))
          return broke(err);
        consumers_.erase(tag);
        it = positions_.erase(it);
      }
      return {};
    }
    positions_ = start;
    slots_.clear();
    consumers_.clear();
    for (const auto& [p, o] : start) {
      consumers_[p] = static_cast<uint32_t>(slots_.size());
      slots_.push_back(p);
    }
    disconnect();
    backoff_ = 0ms;
    retry_at_ = {};
    if (start.empty()) return {};
    if (auto err = connect(); err && !is(err, errc::stream_unreachable)) return err;
    return {};
  }

  caf::expected<size_t> poll(record_batch& out, size_t max_records,
                             std::chrono::milliseconds timeout) override {
    out.clear();
    out.partitions = slots_;
    if (closed_) return make_error(errc::stream_failed, "the reader is closed");
    if (pending_) return std::exchange(pending_, caf::error{});
    auto deadline = clock::now() + timeout;
    if (positions_.empty()) {
      std::this_thread::sleep_for(timeout);
      return size_t{0};
    }
    if (!connected_) {
      if (clock::now() < retry_at_) {
        std::this_thread::sleep_for(
            std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  retry_at_ - clock::now())));
        return make_error(errc::stream_unreachable, last_error_);
      }
      if (auto err = connect()) return err;
    }
    auto a = std::make_unique<arena>();
    uint64_t last_tag = 0;
    caf::error err;
    while (out.records.size() < max_records) {
      amqp_maybe_release_buffers(session_.conn());
      auto left =
          std::chrono::duration_cast<std::chrono::microseconds>(deadline - clock::now());
      if (!out.records.empty() || left.count() < 0) left = 0us;
      timeval tv{};
      tv.tv_sec = left.count() / 1000000;
      tv.tv_usec = left.count() % 1000000;
      amqp_envelope_t env;
      auto r = amqp_consume_message(session_.conn(), &env, &tv, 0);
      if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        take(env, out, *a, last_tag);
        amqp_destroy_envelope(&env);
        continue;
      }
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          r.library_error == AMQP_STATUS_TIMEOUT)
        break;
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        err = other_frame();
        if (err) break;
        continue;
      }
      err = broke(r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                      ? session_.library_error(r.library_error, "reading")
                      : session_.check_reply("reading"));
      break;
    }
    if (last_tag != 0 && connected_) {
      if (amqp_basic_ack(session_.conn(), channel_, last_tag, 1) != AMQP_STATUS_OK &&
          !err)
        err = broke(
            make_error(errc::stream_unreachable, session_.where() + ": ack failed"));
    }
    if (!out.records.empty()) {
      out.own(a.release(), [](void* p) { delete static_cast<arena*>(p); });
      pending_ = std::move(err);
      return out.records.size();
    }
    if (err) return err;
    return size_t{0};
  }

  core::offset_map position() const override { return positions_; }

  void close() override {
    closed_ = true;
    disconnect();
  }

 private:
  caf::expected<std::unique_ptr<rabbit::stream_client>> stream_client(
      std::chrono::milliseconds timeout) {
    rabbit::endpoint ep;
    ep.host = cfg_.endpoint.host;
    ep.port = cfg_.endpoint.stream_port;
    ep.username = cfg_.endpoint.username;
    ep.password = cfg_.endpoint.password;
    ep.vhost = cfg_.endpoint.vhost;
    return rabbit::connect_stream_client(ep, timeout);
  }

  caf::expected<core::offset_map> bounds(const std::vector<core::partition_id>& ps,
                                         std::chrono::milliseconds timeout, bool latest) {
    auto c = stream_client(timeout);
    if (!c) return c.error();
    auto b = (*c)->bounds(ps, latest, cfg_.empty_wait);
    if (!b) return b.error();
    core::offset_map out;
    std::vector<core::partition_id> empty_at_end;
    for (size_t i = 0; i < ps.size(); ++i) {
      const auto& chunk = (*b)[i];
      out[ps[i]] = chunk.empty ? 0
                               : static_cast<int64_t>(
                                     chunk.first + (latest ? chunk.records : 0));
      if (latest && chunk.empty) empty_at_end.push_back(ps[i]);
    }
    if (empty_at_end.empty()) return out;
    // "last" names the last chunk, which may hold no records while earlier
    // ones do: never report an end below a record.
    auto first = (*c)->bounds(empty_at_end, false, cfg_.empty_wait);
    if (!first) return first.error();
    for (size_t i = 0; i < empty_at_end.size(); ++i)
      if (!(*first)[i].empty)
        return make_error(errc::stream_failed,
                          "cannot tell where stream '" + empty_at_end[i] +
                              "' ends: its last chunk holds no records");
    return out;
  }

  caf::error check_available(const core::offset_map& start) {
    std::vector<core::partition_id> ps;
    for (const auto& [p, o] : start) ps.push_back(p);
    if (ps.empty()) return {};
    auto earliest = bounds(ps, 10s, false);
    if (!earliest) return earliest.error();
    for (const auto& [p, o] : start) {
      auto e = (*earliest)[p];
      if (o < e)
        return make_out_of_range({p, o, e, -1}, "offset " + o.to_string() +
                                                    " of stream '" + p +
                                                    "' is no longer retained (the first "
                                                    "is " +
                                                    e.to_string() + ")");
    }
    return {};
  }

  // Checks the positions are still retained (after an outage too), then
  // consumes every partition from its position.
  caf::error connect() {
    disconnect();
    if (auto err = check_available(positions_)) return broke(err);
    if (auto err = session_.open(10s)) return broke(err);
    channel_ = 1;
    if (auto err = session_.open_channel(channel_)) return broke(err);
    amqp_basic_qos(session_.conn(), channel_, 0, cfg_.prefetch, 0);
    if (auto err = session_.check_reply("setting the prefetch")) return broke(err);
    for (const auto& [p, o] : positions_) {
      amqp_table_entry_t arg;
      arg.key = amqp_cstring_bytes("x-stream-offset");
      arg.value.kind = AMQP_FIELD_KIND_I64;
      arg.value.value.i64 = o.value();
      amqp_table_t args{1, &arg};
      amqp_basic_consume(session_.conn(), channel_, amqp_cstring_bytes(p.c_str()),
                         amqp_cstring_bytes(p.c_str()), 0, 0, 0, args);
      if (auto err = session_.check_reply("consuming stream '" + p + "'"))
        return broke(err);
    }
    connected_ = true;
    backoff_ = 0ms;
    return {};
  }

  void disconnect() {
    connected_ = false;
    session_.close();
  }

  // The connection is unusable: drop it; the next poll reconnects after a
  // backoff. Errors other than unreachable are returned as they are.
  caf::error broke(caf::error err) {
    disconnect();
    backoff_ =
        backoff_ == 0ms ? 200ms : std::min<std::chrono::milliseconds>(backoff_ * 2, 5s);
    retry_at_ = clock::now() + backoff_;
    last_error_ = core::error_message(err);
    return err;
  }

  void take(const amqp_envelope_t& env, record_batch& out, arena& a, uint64_t& last_tag) {
    if (env.channel != channel_) return;
    last_tag = env.delivery_tag;
    std::string tag{static_cast<const char*>(env.consumer_tag.bytes),
                    env.consumer_tag.len};
    auto c = consumers_.find(tag);
    if (c == consumers_.end()) return;  // a cancelled consumer's last deliveries
    auto p = positions_.find(tag);
    if (p == positions_.end()) return;
    auto offset = stream_offset_header(env.message.properties);
    if (!offset) {
      pending_ =
          make_error(errc::stream_failed, "a delivery of stream '" + tag +
                                              "' without its x-stream-offset header");
      return;
    }
    if (*offset < p->second) return;  // before the start (the broker starts at a chunk)
    stream_record rec;
    rec.slot = c->second;
    rec.offset = *offset;
    if (env.message.properties._flags & AMQP_BASIC_TIMESTAMP_FLAG)
      rec.timestamp_ms = static_cast<int64_t>(env.message.properties.timestamp) * 1000;
    rec.value = a.copy(env.message.body.bytes, env.message.body.len);
    out.records.push_back(rec);
    p->second = *offset + 1;
  }

  // A frame that is not a delivery: the broker closing the channel or the
  // connection, or cancelling a consumer (its stream deleted).
  caf::error other_frame() {
    amqp_frame_t frame;
    timeval tv{0, 0};
    int rc = amqp_simple_wait_frame_noblock(session_.conn(), &frame, &tv);
    if (rc == AMQP_STATUS_TIMEOUT) return {};
    if (rc != AMQP_STATUS_OK) return broke(session_.library_error(rc, "reading"));
    if (frame.frame_type != AMQP_FRAME_METHOD) return {};
    auto& m = frame.payload.method;
    switch (m.id) {
      case AMQP_CHANNEL_CLOSE_METHOD: {
        if (frame.channel != channel_) return {};
        amqp_channel_close_ok_t ok{};
        amqp_send_method(session_.conn(), frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD,
                         &ok);
        auto err = session_.server_close(m, "reading");
        disconnect();
        return err;
      }
      case AMQP_CONNECTION_CLOSE_METHOD: {
        amqp_connection_close_ok_t ok{};
        amqp_send_method(session_.conn(), 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        return broke(session_.server_close(m, "reading"));
      }
      case AMQP_BASIC_CANCEL_METHOD: {
        auto* c = static_cast<amqp_basic_cancel_t*>(m.decoded);
        std::string tag{static_cast<const char*>(c->consumer_tag.bytes),
                        c->consumer_tag.len};
        if (!consumers_.count(tag)) return {};
        disconnect();
        return make_error(errc::unknown_topic,
                          session_.where() +
                              ": the broker cancelled the consumer of stream '" + tag +
                              "' (was it deleted?)");
      }
      default:
        return {};
    }
  }

  rabbit_reader_config cfg_;
  rabbit::amqp_session session_;
  amqp_channel_t channel_ = 1;
  bool connected_ = false;
  bool closed_ = false;
  core::offset_map positions_;
  std::vector<core::partition_id> slots_;
  std::unordered_map<std::string, uint32_t> consumers_;
  caf::error pending_;
  std::chrono::milliseconds backoff_{0};
  clock::time_point retry_at_{};
  std::string last_error_;
};

}  // namespace

caf::expected<std::unique_ptr<stream_reader>> open_rabbit_reader(
    const rabbit_reader_config& cfg) {
  if (cfg.super_stream.empty())
    return make_error(errc::stream_config, "a RabbitMQ reader needs a super stream");
  return std::unique_ptr<stream_reader>{std::make_unique<rabbit_reader>(cfg)};
}

}  // namespace sv::adapters
