#include "adapters/rabbit/rabbit_producer.hpp"

#include <amqp.h>
#include <amqp_framing.h>

#include "adapters/errc.hpp"
#include "adapters/rabbit/amqp_session.hpp"

namespace sv::adapters {

namespace {

using namespace std::chrono_literals;

amqp_bytes_t bytes(const std::string& s) {
  return {s.size(), const_cast<char*>(s.data())};
}

class producer final : public rabbit_producer {
 public:
  explicit producer(const core::stream::rabbit_endpoint& ep) : session_(ep) {}

  caf::error open() {
    if (auto err = session_.open(10s)) return err;
    if (auto err = session_.open_channel(1)) return err;
    amqp_confirm_select(session_.conn(), 1);
    return session_.check_reply("selecting publisher confirms");
  }

  caf::error create_super_stream(const std::string& name, int32_t partitions,
                                 int64_t max_bytes, int64_t segment_bytes) override {
    amqp_table_entry_t super_arg;
    super_arg.key = amqp_cstring_bytes("x-super-stream");
    super_arg.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    super_arg.value.value.boolean = 1;
    amqp_exchange_declare(session_.conn(), 1, bytes(name), amqp_cstring_bytes("direct"),
                          0, 1, 0, 0, amqp_table_t{1, &super_arg});
    if (auto err = session_.check_reply("declaring super stream '" + name + "'"))
      return err;
    for (int32_t i = 0; i < partitions; ++i) {
      auto queue = name + "-" + std::to_string(i);
      amqp_table_entry_t args[3];
      args[0].key = amqp_cstring_bytes("x-queue-type");
      args[0].value.kind = AMQP_FIELD_KIND_UTF8;
      args[0].value.value.bytes = amqp_cstring_bytes("stream");
      int n = 1;
      if (max_bytes > 0) {
        args[n].key = amqp_cstring_bytes("x-max-length-bytes");
        args[n].value.kind = AMQP_FIELD_KIND_I64;
        args[n++].value.value.i64 = max_bytes;
      }
      if (segment_bytes > 0) {
        args[n].key = amqp_cstring_bytes("x-stream-max-segment-size-bytes");
        args[n].value.kind = AMQP_FIELD_KIND_I64;
        args[n++].value.value.i64 = segment_bytes;
      }
      amqp_queue_declare(session_.conn(), 1, bytes(queue), 0, 1, 0, 0,
                         amqp_table_t{n, args});
      if (auto err = session_.check_reply("declaring stream '" + queue + "'")) return err;
      amqp_table_entry_t order_arg;
      order_arg.key = amqp_cstring_bytes("x-stream-partition-order");
      order_arg.value.kind = AMQP_FIELD_KIND_I32;
      order_arg.value.value.i32 = i;
      auto key = std::to_string(i);
      amqp_queue_bind(session_.conn(), 1, bytes(queue), bytes(name), bytes(key),
                      amqp_table_t{1, &order_arg});
      if (auto err = session_.check_reply("binding stream '" + queue + "'")) return err;
    }
    return {};
  }

  caf::error delete_super_stream(const std::string& name, int32_t partitions) override {
    for (int32_t i = 0; i < partitions; ++i) {
      auto queue = name + "-" + std::to_string(i);
      amqp_queue_delete(session_.conn(), 1, bytes(queue), 0, 0);
      if (auto err = session_.check_reply("deleting stream '" + queue + "'")) return err;
    }
    amqp_exchange_delete(session_.conn(), 1, bytes(name), 0);
    return session_.check_reply("deleting super stream '" + name + "'");
  }

  caf::error publish(const std::string& super_stream, int32_t partition,
                     std::string_view value) override {
    auto key = std::to_string(partition);
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = 2;
    amqp_bytes_t body{value.size(), const_cast<char*>(value.data())};
    // mandatory: a routing key no partition is bound to comes back, not lost.
    int rc = amqp_basic_publish(session_.conn(), 1, bytes(super_stream), bytes(key), 1, 0,
                                &props, body);
    if (rc != AMQP_STATUS_OK) return session_.library_error(rc, "publishing");
    ++published_;
    if (published_ - confirmed_ >= 5000) return drain(10s, false);
    return {};
  }

  caf::error flush(std::chrono::milliseconds timeout) override {
    return drain(timeout, true);
  }

  uint64_t confirmed() const override { return confirmed_; }

 private:
  // Reads confirms: all of them (`all`), or until fewer than half the window
  // are outstanding.
  caf::error drain(std::chrono::milliseconds timeout, bool all) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (confirmed_ < published_ && (all || published_ - confirmed_ >= 2500)) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return make_error(errc::stream_unreachable,
                          session_.where() + ": " +
                              std::to_string(published_ - confirmed_) +
                              " messages unconfirmed");
      timeval tv{static_cast<time_t>(left.count() / 1000000),
                 static_cast<suseconds_t>(left.count() % 1000000)};
      amqp_frame_t frame;
      int rc = amqp_simple_wait_frame_noblock(session_.conn(), &frame, &tv);
      if (rc == AMQP_STATUS_TIMEOUT) continue;
      if (rc != AMQP_STATUS_OK) return session_.library_error(rc, "waiting for confirms");
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      auto& m = frame.payload.method;
      if (m.id == AMQP_BASIC_ACK_METHOD) {
        auto* ack = static_cast<amqp_basic_ack_t*>(m.decoded);
        confirmed_ =
            ack->multiple ? ack->delivery_tag : std::max(confirmed_, ack->delivery_tag);
      } else if (m.id == AMQP_BASIC_NACK_METHOD) {
        return make_error(errc::stream_failed,
                          session_.where() + ": the broker refused a message");
      } else if (m.id == AMQP_BASIC_RETURN_METHOD) {
        auto* ret = static_cast<amqp_basic_return_t*>(m.decoded);
        return make_error(
            errc::unknown_topic,
            session_.where() + ": no partition is bound to routing key '" +
                std::string{static_cast<const char*>(ret->routing_key.bytes),
                            ret->routing_key.len} +
                "'");
      } else if (m.id == AMQP_CHANNEL_CLOSE_METHOD ||
                 m.id == AMQP_CONNECTION_CLOSE_METHOD) {
        return session_.server_close(m, "publishing");
      }
    }
    return {};
  }

  rabbit::amqp_session session_;
  uint64_t published_ = 0;
  uint64_t confirmed_ = 0;
};

}  // namespace

caf::expected<std::unique_ptr<rabbit_producer>> open_rabbit_producer(
    const core::stream::rabbit_endpoint& ep) {
  auto p = std::make_unique<producer>(ep);
  if (auto err = p->open()) return err;
  return std::unique_ptr<rabbit_producer>{std::move(p)};
}

}  // namespace sv::adapters
