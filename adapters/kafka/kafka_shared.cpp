#include "adapters/kafka/kafka_shared.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "adapters/kafka/fetch_wake.hpp"
#include "adapters/kafka/kafka_common.hpp"
#include "adapters/kafka/kafka_partitions.hpp"

namespace sv::adapters {

namespace {

using namespace std::chrono_literals;
using kafka::to_error;
using tp_key = std::pair<std::string, int32_t>;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One librdkafka handle (legacy consumer) and the partitions started on it.
struct client {
  rd_kafka_t* rk = nullptr;
  std::mutex mu;
  std::map<std::string, rd_kafka_topic_t*> topics;
  std::map<tp_key, const void*> started;  ///< partition -> its reader
  std::atomic<int64_t> last_error_ms{0};  ///< last transport error (steady)
  std::atomic<int64_t> last_ok_ms{0};     ///< last record of any reader
  std::string last_error;                 ///< guarded by mu
  kafka::queue_limits limits;             ///< a reader's queue (see fetch_wake.hpp)
  std::unique_ptr<kafka::fetch_waker> waker;

  ~client() {
    waker.reset();  // its thread may be in a request on rk
    for (auto& [_, t] : topics) rd_kafka_topic_destroy(t);
    if (rk) rd_kafka_destroy(rk);
  }

  rd_kafka_topic_t* topic(const std::string& name) {  // with mu held
    auto& t = topics[name];
    if (!t) t = rd_kafka_topic_new(rk, name.c_str(), nullptr);
    return t;
  }
};

caf::expected<std::shared_ptr<client>> open_client(const kafka_reader_config& cfg) {
  auto c = std::make_shared<client>();
  auto* conf = rd_kafka_conf_new();
  auto fail = [&](caf::error e) {
    rd_kafka_conf_destroy(conf);
    return e;
  };
  auto shared = cfg;
  shared.client_id = "streamvisor-shared";
  if (auto e = kafka::configure_consumer(conf, shared, "streamvisor-shared"))
    return fail(e);
  // Per partition here (legacy consumer): bound each partition's prefetch.
  if (!core::find_member(cfg.consumer_properties, "queued.max.messages.kbytes"))
    if (auto e = kafka::set(conf, "queued.max.messages.kbytes", "16384")) return fail(e);
  // The legacy consumer's own commit (a topic property): offsets live in the
  // metadata store, never in the broker.
  if (auto e = kafka::set(conf, "auto.commit.enable", "false")) return fail(e);
  c->limits = kafka::read_queue_limits(conf);
  rd_kafka_conf_set_opaque(conf, c.get());
  rd_kafka_conf_set_error_cb(
      conf, [](rd_kafka_t*, int err, const char* reason, void* opaque) {
        auto* self = static_cast<client*>(opaque);
        if (!kafka::is_unreachable(static_cast<rd_kafka_resp_err_t>(err))) return;
        {
          std::lock_guard guard{self->mu};
          self->last_error = reason;
        }
        self->last_error_ms = steady_ms();
      });
  char err[512];
  c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!c->rk)
    return fail(make_error(errc::stream_config, std::string{"kafka consumer: "} + err));
  c->waker = std::make_unique<kafka::fetch_waker>(c->rk);
  return c;
}

// The cluster a config connects to: its properties and the embedded Kafka.
std::string cluster_key(const kafka_reader_config& cfg) {
  return core::json{cfg.consumer_properties}.dump() + "|" + cfg.embedded_bootstrap;
}

}  // namespace

struct kafka_shared_clients::impl {
  std::mutex mu;
  std::map<std::string, std::vector<std::weak_ptr<client>>> clusters;

  // A client of the cluster for `owner`, with partitions claimed for it
  // (none may be started there by another reader): `current` if `fresh` fit
  // there, else another client (or a new one) where all of `all` fit.
  caf::expected<std::shared_ptr<client>> claim(const kafka_reader_config& cfg,
                                               const std::shared_ptr<client>& current,
                                               const void* owner,
                                               const std::vector<tp_key>& fresh,
                                               const std::vector<tp_key>& all) {
    auto try_claim = [&](client& c, const std::vector<tp_key>& tps) {
      std::lock_guard guard{c.mu};
      for (const auto& tp : tps)
        if (auto i = c.started.find(tp); i != c.started.end() && i->second != owner)
          return false;
      for (const auto& tp : tps) c.started[tp] = owner;
      return true;
    };
    if (current && try_claim(*current, fresh)) return current;
    std::lock_guard guard{mu};
    auto& list = clusters[cluster_key(cfg)];
    std::erase_if(list, [](const auto& w) { return w.expired(); });
    for (const auto& w : list)
      if (auto c = w.lock(); c && c != current && try_claim(*c, all)) return c;
    auto c = open_client(cfg);
    if (!c) return c.error();
    try_claim(**c, all);
    list.push_back(*c);
    return c;
  }

  size_t clients() {
    std::lock_guard guard{mu};
    size_t n = 0;
    for (const auto& [_, list] : clusters)
      for (const auto& w : list) n += w.expired() ? 0 : 1;
    return n;
  }
};

namespace {

class shared_reader final : public stream_reader {
 public:
  shared_reader(std::shared_ptr<kafka_shared_clients::impl> hub, kafka_reader_config cfg)
      : hub_(std::move(hub)), cfg_(std::move(cfg)), slots_(cfg_.topic) {
    if (cfg_.topic_pattern) pattern_ = std::regex{*cfg_.topic_pattern};
  }
  ~shared_reader() override { close(); }

  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds timeout) override {
    if (auto err = ensure_client()) return err;
    return kafka::list_partitions(client_->rk, cfg_.topic, pattern_, timeout);
  }

  caf::expected<core::offset_map> earliest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    if (auto err = ensure_client()) return err;
    return kafka::query_offsets(client_->rk, slots_, ps, RD_KAFKA_OFFSET_BEGINNING,
                                timeout);
  }

  caf::expected<core::offset_map> latest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    if (auto err = ensure_client()) return err;
    return kafka::query_offsets(client_->rk, slots_, ps, RD_KAFKA_OFFSET_END, timeout);
  }

  caf::error assign(const core::offset_map& start) override {
    if (closed_) return make_error(errc::stream_failed, "the reader is closed");
    std::map<tp_key, core::stream_offset> wanted;
    for (const auto& [id, offset] : start) {
      auto tp = slots_.parse(id);
      if (!tp) return tp.error();
      wanted[{tp->topic, tp->partition}] = offset;
    }
    // Stop what is not wanted any more, or wanted from another offset.
    auto here = slots_.position();
    std::vector<tp_key> unwanted;
    for (const auto& [tp, id] : started_) {
      auto w = wanted.find(tp);
      if (w == wanted.end() || !here.count(id) || here.at(id) != w->second)
        unwanted.push_back(tp);
    }
    for (const auto& tp : unwanted) stop(tp);  // stop() erases from started_
    std::vector<tp_key> fresh, all;
    for (const auto& [tp, _] : wanted) {
      all.push_back(tp);
      if (!started_.count(tp)) fresh.push_back(tp);
    }
    auto c = hub_->claim(cfg_, client_, this, fresh, all);
    if (!c) return c.error();
    if (*c != client_) {  // another client: everything starts there
      stop_all();
      fresh = all;
      client_ = *c;
      open_queue();
    }
    pending_ = caf::error{};
    if (auto err = slots_.set(start)) return err;
    for (const auto& tp : fresh) {
      rd_kafka_topic_t* rkt = nullptr;
      {
        std::lock_guard guard{client_->mu};
        rkt = client_->topic(tp.first);
      }
      if (!rkt ||
          rd_kafka_consume_start_queue(rkt, tp.second, wanted[tp].value(), queue_) != 0) {
        auto rc = rd_kafka_last_error();
        release({tp});
        return to_error(rc, "starting " + tp.first + ":" + std::to_string(tp.second));
      }
      started_[tp] = id_of(tp);
    }
    return {};
  }

  caf::expected<size_t> poll(record_batch& out, size_t max_records,
                             std::chrono::milliseconds timeout) override {
    out.clear();
    if (pending_) {
      auto e = std::move(pending_);
      pending_ = caf::error{};
      return e;
    }
    if (!queue_) return size_t{0};
    woken_.store(false);
    if (out.partitions != slots_.ids()) out.partitions = slots_.ids();
    buf_.resize(max_records);
    auto n = kafka::consume_available(queue_, static_cast<int>(timeout.count()),
                                      buf_.data(), max_records);
    if (n < 0) return to_error(rd_kafka_last_error(), "poll");
    out.records.reserve(static_cast<size_t>(n));
    size_t bytes = 0;
    for (ssize_t i = 0; i < n; ++i) {
      auto* m = buf_[static_cast<size_t>(i)];
      bytes += m->len;
      if (m->err) {
        if (!pending_) pending_ = kafka::message_error(client_->rk, slots_, m);
        rd_kafka_message_destroy(m);
      } else {
        slots_.take(m, out);
      }
    }
    if (watch_.drained(static_cast<size_t>(n), bytes, rd_kafka_queue_length(queue_)))
      wake_fetcher();
    auto now = steady_ms();
    if (!out.empty()) {
      last_contact_ms_ = now;
      client_->last_ok_ms = now;
      return out.size();
    }
    // Nothing arrived: unreachable while the client's last word was a
    // transport error (within 30 s) and this reader heard nothing for 2 s.
    int64_t err_at = client_->last_error_ms;
    if (err_at > client_->last_ok_ms && now - err_at < 30000 &&
        now - last_contact_ms_ > 2000) {
      std::lock_guard guard{client_->mu};
      return make_error(errc::stream_unreachable,
                        "no Kafka broker reachable: " + client_->last_error);
    }
    return size_t{0};
  }

  bool set_wakeup(std::function<void()> wake) override {
    if (queue_) rd_kafka_queue_cb_event_enable(queue_, nullptr, nullptr);
    wake_ = std::move(wake);
    if (queue_ && wake_) rd_kafka_queue_cb_event_enable(queue_, on_event, this);
    return true;
  }

  core::offset_map position() const override { return slots_.position(); }

  void close() override {
    if (closed_) return;
    closed_ = true;
    stop_all();
    client_.reset();
  }

 private:
  static void on_event(rd_kafka_t*, void* opaque) {
    auto* self = static_cast<shared_reader*>(opaque);
    if (!self->woken_.exchange(true)) self->wake_();
  }

  caf::error ensure_client() {
    if (closed_) return make_error(errc::stream_failed, "the reader is closed");
    if (client_) return {};
    auto c = hub_->claim(cfg_, nullptr, this, {}, {});
    if (!c) return c.error();
    client_ = *c;
    open_queue();
    return {};
  }

  // The queue drained after coming near its threshold: librdkafka may have
  // stopped fetching these partitions until its broker thread next wakes.
  void wake_fetcher() {
    std::vector<kafka::fetch_partition> tps;
    tps.reserve(started_.size());
    for (const auto& [tp, _] : started_) tps.push_back(tp);
    client_->waker->wake(tps);
  }

  void open_queue() {
    watch_ = kafka::queue_watch{client_->limits};
    queue_ = rd_kafka_queue_new(client_->rk);
    if (wake_) rd_kafka_queue_cb_event_enable(queue_, on_event, this);
  }

  core::partition_id id_of(const tp_key& tp) const {
    return cfg_.topic ? std::to_string(tp.second)
                      : tp.first + ":" + std::to_string(tp.second);
  }

  void release(const std::vector<tp_key>& tps) {
    std::lock_guard guard{client_->mu};
    for (const auto& tp : tps)
      if (auto i = client_->started.find(tp);
          i != client_->started.end() && i->second == this)
        client_->started.erase(i);
  }

  // Stops fetching one partition (waits for its fetcher to let go).
  void stop(const tp_key& tp) {
    rd_kafka_topic_t* rkt = nullptr;
    {
      std::lock_guard guard{client_->mu};
      rkt = client_->topic(tp.first);
    }
    if (rkt) rd_kafka_consume_stop(rkt, tp.second);
    release({tp});
    started_.erase(tp);
  }

  void stop_all() {
    if (!client_) return;
    while (!started_.empty()) stop(started_.begin()->first);
    release_unstarted();
    if (queue_) {
      rd_kafka_queue_cb_event_enable(queue_, nullptr, nullptr);
      rd_kafka_queue_destroy(queue_);
      queue_ = nullptr;
    }
  }

  // Claims made for partitions that never started.
  void release_unstarted() {
    std::lock_guard guard{client_->mu};
    std::erase_if(client_->started, [&](const auto& kv) { return kv.second == this; });
  }

  std::shared_ptr<kafka_shared_clients::impl> hub_;
  kafka_reader_config cfg_;
  kafka::partition_slots slots_;
  std::regex pattern_;
  std::shared_ptr<client> client_;
  rd_kafka_queue_t* queue_ = nullptr;
  kafka::queue_watch watch_;
  std::map<tp_key, core::partition_id> started_;
  std::vector<rd_kafka_message_t*> buf_;
  caf::error pending_;
  std::function<void()> wake_;
  std::atomic<bool> woken_{false};
  int64_t last_contact_ms_ = steady_ms();
  bool closed_ = false;
};

}  // namespace

kafka_shared_clients::kafka_shared_clients() : impl_(std::make_shared<impl>()) {}
kafka_shared_clients::~kafka_shared_clients() = default;

caf::expected<std::unique_ptr<stream_reader>> kafka_shared_clients::open(
    const kafka_reader_config& cfg) {
  if (!cfg.topic && !cfg.topic_pattern)
    return make_error(errc::stream_config,
                      "a Kafka reader needs a topic or a topicPattern");
  try {
    return std::unique_ptr<stream_reader>{std::make_unique<shared_reader>(impl_, cfg)};
  } catch (const std::regex_error& e) {
    return make_error(errc::stream_config, std::string{"bad topicPattern: "} + e.what());
  }
}

size_t kafka_shared_clients::clients() const {
  return impl_->clients();
}

}  // namespace sv::adapters
