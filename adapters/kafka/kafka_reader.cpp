#include "adapters/kafka/kafka_reader.hpp"

#include <charconv>
#include <optional>
#include <regex>
#include <thread>
#include <unordered_map>

#include "adapters/kafka/kafka_common.hpp"

namespace sv::adapters {

namespace {

using namespace std::chrono_literals;
using kafka::to_error;

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
};

class kafka_reader final : public stream_reader {
 public:
  kafka_reader(kafka_reader_config cfg) : cfg_(std::move(cfg)) {
    if (cfg_.topic_pattern) pattern_ = std::regex{*cfg_.topic_pattern};
  }

  ~kafka_reader() override { close(); }

  caf::error open() {
    auto* conf = rd_kafka_conf_new();
    auto fail = [&](caf::error e) {
      rd_kafka_conf_destroy(conf);
      return e;
    };
    // Defaults first, so consumerProperties can override them.
    for (auto [k, v] : {std::pair{"enable.auto.commit", "false"},
                        {"enable.auto.offset.store", "false"},
                        {"enable.partition.eof", "false"},
                        {"isolation.level", "read_committed"}})
      if (auto e = kafka::set(conf, k, v)) return fail(e);
    if (auto e = kafka::set(conf, "group.id", "streamvisor-" + cfg_.client_id))
      return fail(e);
    if (auto e = kafka::set(conf, "client.id", cfg_.client_id)) return fail(e);
    auto props = cfg_.consumer_properties;
    const core::json* bs = core::find_member(props, "bootstrap.servers");
    if (!bs || !bs->is_string() || bs->as_string().empty())
      return fail(
          make_error(errc::stream_config, "consumerProperties needs bootstrap.servers"));
    if (bs->as_string() == "embedded") {
      if (cfg_.embedded_bootstrap.empty())
        return fail(make_error(errc::stream_config,
                               "bootstrap.servers is \"embedded\" but this node runs no "
                               "embedded Kafka (it was started with --kafka)"));
      for (auto& m : props)
        if (m.key == "bootstrap.servers") m.value = core::json{cfg_.embedded_bootstrap};
      // The embedded mock holds an empty fetch for the full wait: keep it short.
      if (!core::find_member(props, "fetch.wait.max.ms"))
        if (auto e = kafka::set(conf, "fetch.wait.max.ms", "10")) return fail(e);
    }
    if (auto e = kafka::apply_properties(conf, props)) return fail(e);
    // Offsets are chosen by the supervisor; never let the client pick one.
    if (auto e = kafka::set(conf, "auto.offset.reset", "error")) return fail(e);
    kafka::route_logs(conf);
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
    rd_kafka_poll_set_consumer(rk_);
    queue_ = rd_kafka_queue_get_consumer(rk_);
    return {};
  }

  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds timeout) override {
    // All-topics metadata never auto-creates a topic as a side effect.
    const rd_kafka_metadata_t* md = nullptr;
    auto rc = rd_kafka_metadata(rk_, 1, nullptr, &md, static_cast<int>(timeout.count()));
    if (rc) return to_error(rc, "listing partitions");
    std::vector<core::partition_id> out;
    bool found = false;
    caf::error topic_error;
    for (int i = 0; i < md->topic_cnt; ++i) {
      const auto& t = md->topics[i];
      std::string name = t.topic;
      bool match = cfg_.topic
                       ? name == *cfg_.topic
                       : (name.rfind("__", 0) != 0 && std::regex_match(name, pattern_));
      if (!match) continue;
      if (t.err) {
        topic_error = to_error(t.err, "topic [" + name + "]");
        continue;
      }
      found = true;
      for (int p = 0; p < t.partition_cnt; ++p)
        out.push_back(cfg_.topic ? std::to_string(t.partitions[p].id)
                                 : name + ":" + std::to_string(t.partitions[p].id));
    }
    rd_kafka_metadata_destroy(md);
    if (!found && topic_error) return topic_error;
    if (!found && cfg_.topic)
      return make_error(errc::unknown_topic,
                        "topic [" + *cfg_.topic + "] does not exist");
    std::sort(out.begin(), out.end(), core::partition_less{});
    return out;
  }

  caf::expected<core::offset_map> earliest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    return query_offsets(ps, RD_KAFKA_OFFSET_BEGINNING, timeout);
  }

  caf::expected<core::offset_map> latest_offsets(
      const std::vector<core::partition_id>& ps,
      std::chrono::milliseconds timeout) override {
    return query_offsets(ps, RD_KAFKA_OFFSET_END, timeout);
  }

  caf::error assign(const core::offset_map& start) override {
    // Fewer partitions at the positions reached (a task's partitions reaching
    // their end, one after another): pause the others, keep the assignment.
    // librdkafka 2.0.2 aborts when a second assign arrives before the fetch
    // stops of the first were answered (rd_kafka_assignment_partition_stopped:
    // rktp_started), and a task drops partitions in quick succession.
    if (auto dropped = dropped_at_position(start)) {
      if (auto err = pause(*dropped)) return err;
      return set_slots(start);
    }
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(start.size()));
    for (const auto& [id, offset] : start) {
      auto tp = parse_id(id);
      if (!tp) {
        rd_kafka_topic_partition_list_destroy(list);
        return tp.error();
      }
      rd_kafka_topic_partition_list_add(list, tp->topic.c_str(), tp->partition)->offset =
          offset.value();
    }
    if (auto err = set_slots(start)) {
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

  caf::expected<size_t> poll(record_batch& out, size_t max_records,
                             std::chrono::milliseconds timeout) override {
    out.clear();
    if (pending_) {
      auto e = std::move(pending_);
      pending_ = caf::error{};
      return e;
    }
    if (out.partitions != slot_ids_) out.partitions = slot_ids_;
    buf_.resize(max_records);
    auto n = rd_kafka_consume_batch_queue(queue_, static_cast<int>(timeout.count()),
                                          buf_.data(), max_records);
    if (n < 0) return to_error(rd_kafka_last_error(), "poll");
    out.records.reserve(static_cast<size_t>(n));
    for (ssize_t i = 0; i < n; ++i) take(buf_[static_cast<size_t>(i)], out);
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

  core::offset_map position() const override {
    core::offset_map m;
    for (size_t i = 0; i < slot_ids_.size(); ++i) m[slot_ids_[i]] = positions_[i];
    return m;
  }

  void close() override {
    if (!rk_) return;
    rd_kafka_queue_destroy(queue_);
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

 private:
  caf::expected<topic_partition> parse_id(const core::partition_id& id) const {
    std::string topic;
    std::string_view num = id;
    if (cfg_.topic) {
      topic = *cfg_.topic;
    } else {
      auto colon = id.rfind(':');
      if (colon == std::string::npos)
        return make_error(
            errc::stream_config,
            "partition id '" + id + "' must be topic:partition with topicPattern");
      topic = id.substr(0, colon);
      num = std::string_view{id}.substr(colon + 1);
    }
    int32_t p = -1;
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), p);
    if (ec != std::errc{} || ptr != num.data() + num.size() || p < 0)
      return make_error(errc::stream_config, "bad partition id '" + id + "'");
    return topic_partition{std::move(topic), p};
  }

  // The slots (and positions) of an assignment.
  caf::error set_slots(const core::offset_map& start) {
    slot_ids_.clear();
    positions_.clear();
    slot_index_.clear();
    for (const auto& [id, offset] : start) {
      auto tp = parse_id(id);
      if (!tp) return tp.error();
      auto& by_partition = slot_index_[tp->topic];
      if (by_partition.size() <= static_cast<size_t>(tp->partition))
        by_partition.resize(static_cast<size_t>(tp->partition) + 1, -1);
      by_partition[static_cast<size_t>(tp->partition)] =
          static_cast<int32_t>(slot_ids_.size());
      slot_ids_.push_back(id);
      positions_.push_back(offset);
    }
    last_rkt_ = nullptr;
    return {};
  }

  // The partitions `start` leaves out when it is a strict subset of the
  // assignment at the positions reached; nullopt otherwise.
  std::optional<std::vector<core::partition_id>> dropped_at_position(
      const core::offset_map& start) const {
    if (start.empty() || start.size() >= slot_ids_.size()) return std::nullopt;
    std::vector<core::partition_id> dropped;
    size_t kept = 0;
    for (size_t i = 0; i < slot_ids_.size(); ++i) {
      auto s = start.find(slot_ids_[i]);
      if (s == start.end()) {
        dropped.push_back(slot_ids_[i]);
      } else {
        if (s->second != positions_[i]) return std::nullopt;
        ++kept;
      }
    }
    if (kept != start.size()) return std::nullopt;
    return dropped;
  }

  caf::error pause(const std::vector<core::partition_id>& ids) {
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(ids.size()));
    for (const auto& id : ids) {
      auto tp = parse_id(id);
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

  int32_t slot_of(rd_kafka_message_t* m) {
    if (m->rkt != last_rkt_) {
      auto i = slot_index_.find(rd_kafka_topic_name(m->rkt));
      last_slots_ = i == slot_index_.end() ? nullptr : &i->second;
      last_rkt_ = m->rkt;
    }
    if (!last_slots_ || m->partition < 0 ||
        static_cast<size_t>(m->partition) >= last_slots_->size())
      return -1;
    return (*last_slots_)[static_cast<size_t>(m->partition)];
  }

  void take(rd_kafka_message_t* m, record_batch& out) {
    if (m->err) {
      on_error(m);
      rd_kafka_message_destroy(m);
      return;
    }
    int32_t slot = slot_of(m);
    if (slot < 0) {  // from an older assignment
      rd_kafka_message_destroy(m);
      return;
    }
    stream_record r;
    r.slot = static_cast<uint32_t>(slot);
    r.offset = m->offset;
    r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
    if (m->key) r.key = {static_cast<const char*>(m->key), m->key_len};
    if (m->payload) r.value = {static_cast<const char*>(m->payload), m->len};
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
      r.headers_begin = static_cast<uint32_t>(out.headers.size());
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); ++i)
        out.headers.emplace_back(name,
                                 std::string_view{static_cast<const char*>(value), size});
      r.headers_count = static_cast<uint32_t>(out.headers.size()) - r.headers_begin;
    }
    positions_[r.slot] = m->offset + 1;
    out.records.push_back(r);
    out.own(m, [](void* p) {
      rd_kafka_message_destroy(static_cast<rd_kafka_message_t*>(p));
    });
  }

  void on_error(rd_kafka_message_t* m) {
    auto err = m->err;
    if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF || pending_) return;
    int32_t slot = m->rkt ? slot_of(m) : -1;
    std::string id = slot >= 0 ? slot_ids_[static_cast<size_t>(slot)] : std::string{"?"};
    if (err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
        err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      out_of_range_info info;
      info.partition = id;
      info.requested = slot >= 0 ? positions_[static_cast<size_t>(slot)] : m->offset;
      if (slot >= 0) {
        if (auto lo = earliest_offsets({id}, 2000ms); lo && lo->count(id))
          info.earliest = lo->at(id);
        if (auto hi = latest_offsets({id}, 2000ms); hi && hi->count(id))
          info.latest = hi->at(id);
      }
      pending_ = make_out_of_range(
          info, "offset " + info.requested.to_string() + " of partition " + id +
                    " is not available (earliest " + info.earliest.to_string() +
                    ", latest " + info.latest.to_string() + ")");
      return;
    }
    if (kafka::is_unreachable(err))
      return;  // the client retries; poll reports reachability
    pending_ =
        to_error(err, "reading partition " + id + ": " + rd_kafka_message_errstr(m));
  }

  caf::expected<core::offset_map> query_offsets(const std::vector<core::partition_id>& ps,
                                                int64_t which,
                                                std::chrono::milliseconds timeout) {
    if (ps.empty()) return core::offset_map{};
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(ps.size()));
      for (const auto& id : ps) {
        auto tp = parse_id(id);
        if (!tp) {
          rd_kafka_topic_partition_list_destroy(list);
          return tp.error();
        }
        rd_kafka_topic_partition_list_add(list, tp->topic.c_str(), tp->partition)
            ->offset = which;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto rc = rd_kafka_offsets_for_times(rk_, list,
                                           static_cast<int>(std::max(left, 1ms).count()));
      core::offset_map out;
      if (!rc) {
        for (int i = 0; i < list->cnt && !rc; ++i) {
          if (list->elems[i].err) rc = list->elems[i].err;
          out[ps[static_cast<size_t>(i)]] = list->elems[i].offset;
        }
      }
      rd_kafka_topic_partition_list_destroy(list);
      if (!rc) return out;
      // A failed ListOffsets fails the whole call: retry while time is left.
      bool retry =
          kafka::is_unreachable(rc) || rc == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
      if (!retry || std::chrono::steady_clock::now() + 50ms >= deadline)
        return to_error(
            rc, which == RD_KAFKA_OFFSET_END ? "latest offsets" : "earliest offsets");
      std::this_thread::sleep_for(50ms);
    }
  }

  kafka_reader_config cfg_;
  std::regex pattern_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::vector<rd_kafka_message_t*> buf_;
  std::vector<core::partition_id> slot_ids_;
  std::vector<core::partition_id> paused_;  ///< left out by shrinking assigns
  std::vector<core::stream_offset> positions_;
  std::unordered_map<std::string, std::vector<int32_t>> slot_index_;
  rd_kafka_topic_t* last_rkt_ = nullptr;
  std::vector<int32_t>* last_slots_ = nullptr;
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
