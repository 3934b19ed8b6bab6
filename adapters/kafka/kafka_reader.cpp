#include "adapters/kafka/kafka_reader.hpp"

#include <optional>
#include <regex>

#include "adapters/kafka/fetch_wake.hpp"
#include "adapters/kafka/kafka_common.hpp"
#include "adapters/kafka/kafka_partitions.hpp"

namespace sv::adapters {

namespace {

using namespace std::chrono_literals;
using kafka::to_error;

class kafka_reader final : public stream_reader {
 public:
  kafka_reader(kafka_reader_config cfg) : cfg_(std::move(cfg)), slots_(cfg_.topic) {
    if (cfg_.topic_pattern) pattern_ = std::regex{*cfg_.topic_pattern};
  }

  ~kafka_reader() override { close(); }

  caf::error open() {
    auto* conf = rd_kafka_conf_new();
    auto fail = [&](caf::error e) {
      rd_kafka_conf_destroy(conf);
      return e;
    };
    if (auto e = kafka::configure_consumer(conf, cfg_, "streamvisor-" + cfg_.client_id))
      return fail(e);
    watch_ = kafka::queue_watch{kafka::read_queue_limits(conf)};
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_error_cb(
        conf, [](rd_kafka_t*, int err, const char* reason, void* opaque) {
          auto* self = static_cast<kafka_reader*>(opaque);
          if (kafka::is_unreachable(static_cast<rd_kafka_resp_err_t>(err))) {
            self->suspect_ = true;
            self->last_error_ = reason;
          }
        });
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk_)
      return fail(make_error(errc::stream_config, std::string{"kafka consumer: "} + err));
    waker_ = std::make_unique<kafka::fetch_waker>(rk_);
    rd_kafka_poll_set_consumer(rk_);
    queue_ = rd_kafka_queue_get_consumer(rk_);
    return {};
  }

  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds timeout) override {
    return kafka::list_partitions(rk_, cfg_.topic, pattern_, timeout);
  }

  caf::expected<core::offset_map> earliest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    return kafka::query_offsets(rk_, slots_, ps, RD_KAFKA_OFFSET_BEGINNING, timeout);
  }

  caf::expected<core::offset_map> latest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    return kafka::query_offsets(rk_, slots_, ps, RD_KAFKA_OFFSET_END, timeout);
  }

  caf::error assign(const core::offset_map& start) override {
    // Fewer partitions at the positions reached (a task's partitions reaching
    // their end, one after another): pause the others, keep the assignment.
    // librdkafka 2.0.2 aborts when a second assign arrives before the fetch
    // stops of the first were answered (rd_kafka_assignment_partition_stopped:
    // rktp_started), and a task drops partitions in quick succession.
    if (auto dropped = slots_.dropped_at_position(start)) {
      if (auto err = pause(*dropped)) return err;
      return slots_.set(start);
    }
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(start.size()));
    for (const auto& [id, offset] : start) {
      auto tp = slots_.parse(id);
      if (!tp) {
        rd_kafka_topic_partition_list_destroy(list);
        return tp.error();
      }
      rd_kafka_topic_partition_list_add(list, tp->topic.c_str(), tp->partition)->offset =
          offset.value();
    }
    if (auto err = slots_.set(start)) {
      rd_kafka_topic_partition_list_destroy(list);
      return err;
    }
    // A partition paused earlier and assigned again reads again.
    if (!paused_.empty()) {
      rd_kafka_resume_partitions(rk_, list);
      paused_.clear();
    }
    auto rc = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    pending_ = caf::error{};
    if (rc) return to_error(rc, "assign");
    return {};
  }

  // Paused, as a shrinking assign at the positions reached is: the others'
  // fetched messages (in the consumer queue, or in batches not yet read)
  // stay where they are.
  caf::error stop_reading(const std::vector<core::partition_id>& ids) override {
    if (auto err = pause(ids)) return err;
    slots_.drop(ids);
    return {};
  }

  // Every record holds its own librdkafka message until its batch is cleared.
  bool independent_batches() const override { return true; }

  caf::expected<size_t> poll(record_batch& out, size_t max_records,
                             std::chrono::milliseconds timeout) override {
    out.clear();
    if (pending_) {
      auto e = std::move(pending_);
      pending_ = caf::error{};
      return e;
    }
    if (out.partitions != slots_.ids()) out.partitions = slots_.ids();
    buf_.resize(max_records);
    auto n = kafka::consume_available(queue_, static_cast<int>(timeout.count()),
                                      buf_.data(), max_records);
    if (n < 0) return to_error(rd_kafka_last_error(), "poll");
    out.records.reserve(static_cast<size_t>(n));
    size_t bytes = 0;
    for (ssize_t i = 0; i < n; ++i) {
      bytes += buf_[static_cast<size_t>(i)]->len;
      take(buf_[static_cast<size_t>(i)], out);
    }
    if (watch_.drained(static_cast<size_t>(n), bytes, rd_kafka_queue_length(queue_)))
      wake_fetcher();
    auto now = std::chrono::steady_clock::now();
    if (!out.empty()) {
      last_contact_ = now;
      suspect_ = false;
      return out.size();
    }
    // Nothing arrived. The client reconnects by itself and never says when all
    // brokers are gone for good, so check with a metadata request when a
    // transport error was seen, or when nothing was heard for a while.
    if (suspect_ || now - last_contact_ > probe_interval) {
      const rd_kafka_metadata_t* md = nullptr;
      auto rc = rd_kafka_metadata(rk_, 0, nullptr, &md,
                                  static_cast<int>(probe_timeout.count()));
      if (rc == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(md);
        last_contact_ = std::chrono::steady_clock::now();
        suspect_ = false;
      } else {
        return make_error(
            errc::stream_unreachable,
            "no Kafka broker reachable: " +
                (last_error_.empty() ? std::string{rd_kafka_err2str(rc)} : last_error_));
      }
    }
    return out.size();
  }

  core::offset_map position() const override { return slots_.position(); }

  void close() override {
    if (!rk_) return;
    waker_.reset();  // its thread may be in a request on rk_
    rd_kafka_queue_destroy(queue_);
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

 private:
  // The queue drained after coming near its threshold: librdkafka may have
  // stopped fetching until its broker thread next wakes (fetch_wake.hpp).
  void wake_fetcher() {
    std::vector<kafka::fetch_partition> tps;
    for (const auto& id : slots_.ids())
      if (auto tp = slots_.parse(id)) tps.emplace_back(tp->topic, tp->partition);
    waker_->wake(tps);
  }

  caf::error pause(const std::vector<core::partition_id>& ids) {
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(ids.size()));
    for (const auto& id : ids) {
      auto tp = slots_.parse(id);
      if (!tp) {
        rd_kafka_topic_partition_list_destroy(list);
        return tp.error();
      }
      rd_kafka_topic_partition_list_add(list, tp->topic.c_str(), tp->partition);
    }
    auto rc = rd_kafka_pause_partitions(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (rc) return to_error(rc, "pause");
    paused_.insert(paused_.end(), ids.begin(), ids.end());
    return {};
  }

  void take(rd_kafka_message_t* m, record_batch& out) {
    if (m->err) {
      if (!pending_) pending_ = kafka::message_error(rk_, slots_, m);
      rd_kafka_message_destroy(m);
      return;
    }
    slots_.take(m, out);
  }

  kafka_reader_config cfg_;
  kafka::partition_slots slots_;
  std::regex pattern_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  kafka::queue_watch watch_;
  std::unique_ptr<kafka::fetch_waker> waker_;
  std::vector<rd_kafka_message_t*> buf_;
  std::vector<core::partition_id> paused_;  ///< left out by shrinking assigns
  caf::error pending_;
  static constexpr auto probe_interval = std::chrono::seconds{2};
  static constexpr auto probe_timeout = std::chrono::milliseconds{500};
  bool suspect_ = false;
  std::chrono::steady_clock::time_point last_contact_ = std::chrono::steady_clock::now();
  std::string last_error_;
};

}  // namespace

caf::expected<std::unique_ptr<stream_reader>> open_kafka_reader(
    const kafka_reader_config& cfg) {
  if (!cfg.topic && !cfg.topic_pattern)
    return make_error(errc::stream_config,
                      "a Kafka reader needs a topic or a topicPattern");
  std::unique_ptr<kafka_reader> r;
  try {
    r = std::make_unique<kafka_reader>(cfg);
  } catch (const std::regex_error& e) {
    return make_error(errc::stream_config, std::string{"bad topicPattern: "} + e.what());
  }
  if (auto err = r->open()) return err;
  return std::unique_ptr<stream_reader>{std::move(r)};
}

}  // namespace sv::adapters
