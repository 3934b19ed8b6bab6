#include "adapters/kafka/kafka_producer.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "adapters/kafka/kafka_common.hpp"

namespace sv::adapters {

namespace {

class producer final : public kafka_producer {
 public:
  ~producer() override {
    if (rk_) {
      rd_kafka_flush(rk_, 10000);
      rd_kafka_destroy(rk_);
    }
  }

  caf::error open(const core::json::object& props) {
    auto* conf = rd_kafka_conf_new();
    for (auto [k, v] : {std::pair{"linger.ms", "5"},
                        {"batch.num.messages", "10000"},
                        {"queue.buffering.max.messages", "1000000"},
                        {"acks", "all"}})
      if (auto e = kafka::set(conf, k, v)) {
        rd_kafka_conf_destroy(conf);
        return e;
      }
    if (auto e = kafka::apply_properties(conf, props)) {
      rd_kafka_conf_destroy(conf);
      return e;
    }
    kafka::route_logs(conf);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(
        conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
          auto* self = static_cast<producer*>(opaque);
          if (m->err) {
            if (self->failed_++ == 0) {
              std::lock_guard<std::mutex> g{self->mtx_};
              self->first_error_ = kafka::to_error(m->err, "delivery failed");
            }
          } else {
            ++self->delivered_;
          }
        });
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk_)
      return make_error(errc::stream_config, std::string{"kafka producer: "} + err);
    return {};
  }

  caf::error produce(const std::string& topic, int32_t partition, std::string_view key,
                     std::string_view value) override {
    while (true) {
      auto rc = rd_kafka_producev(
          rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (rc == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk_, 10);  // serve delivery reports to make room
        continue;
      }
      rd_kafka_poll(rk_, 0);
      if (rc) return kafka::to_error(rc, "produce to " + topic);
      return {};
    }
  }

  caf::error flush(std::chrono::milliseconds timeout) override {
    auto rc = rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
    if (rc) return kafka::to_error(rc, "flush");
    std::lock_guard<std::mutex> g{mtx_};
    return first_error_;
  }

  caf::expected<int32_t> partition_count(const std::string& topic,
                                         std::chrono::milliseconds timeout) override {
    const rd_kafka_metadata_t* md = nullptr;
    auto rc = rd_kafka_metadata(rk_, 1, nullptr, &md, static_cast<int>(timeout.count()));
    if (rc) return kafka::to_error(rc, "metadata");
    int32_t n = -1;
    for (int i = 0; i < md->topic_cnt; ++i)
      if (topic == md->topics[i].topic && !md->topics[i].err)
        n = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    if (n < 0)
      return make_error(errc::unknown_topic, "topic [" + topic + "] does not exist");
    return n;
  }

  uint64_t failed() const override { return failed_; }
  uint64_t delivered() const override { return delivered_; }

 private:
  rd_kafka_t* rk_ = nullptr;
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> delivered_{0};
  std::mutex mtx_;
  caf::error first_error_;
};

}  // namespace

caf::expected<std::unique_ptr<kafka_producer>> open_kafka_producer(
    const core::json::object& properties) {
  auto p = std::make_unique<producer>();
  if (auto err = p->open(properties)) return err;
  return std::unique_ptr<kafka_producer>{std::move(p)};
}

}  // namespace sv::adapters
