#include "adapters/kafka/kafka_partitions.hpp"

#include <algorithm>
#include <charconv>
#include <thread>

#include "adapters/kafka/kafka_common.hpp"

namespace sv::adapters::kafka {

using namespace std::chrono_literals;

caf::error configure_consumer(rd_kafka_conf_t* conf, const kafka_reader_config& cfg,
                              const std::string& group_id) {
  // Defaults first, so consumerProperties can override them.
  for (auto [k, v] : {std::pair{"enable.auto.commit", "false"},
                      {"enable.auto.offset.store", "false"},
                      {"enable.partition.eof", "false"},
                      {"isolation.level", "read_committed"}})
    if (auto e = set(conf, k, v)) return e;
  if (auto e = set(conf, "group.id", group_id)) return e;
  if (auto e = set(conf, "client.id", cfg.client_id)) return e;
  auto props = cfg.consumer_properties;
  const core::json* bs = core::find_member(props, "bootstrap.servers");
  if (!bs || !bs->is_string() || bs->as_string().empty())
    return make_error(errc::stream_config, "consumerProperties needs bootstrap.servers");
  if (bs->as_string() == "embedded") {
    if (cfg.embedded_bootstrap.empty())
      return make_error(errc::stream_config,
                        "bootstrap.servers is \"embedded\" but this node runs no "
                        "embedded Kafka (it was started with --kafka)");
    for (auto& m : props)
      if (m.key == "bootstrap.servers") m.value = core::json{cfg.embedded_bootstrap};
    // The embedded mock holds an empty fetch for the full wait: keep it short.
    if (!core::find_member(props, "fetch.wait.max.ms"))
      if (auto e = set(conf, "fetch.wait.max.ms", "10")) return e;
  }
  if (auto e = apply_properties(conf, props)) return e;
  // Offsets are chosen by the supervisor; never let the client pick one.
  if (auto e = set(conf, "auto.offset.reset", "error")) return e;
  route_logs(conf);
  return {};
}

caf::expected<topic_partition> partition_slots::parse(
    const core::partition_id& id) const {
  std::string topic;
  std::string_view num = id;
  if (topic_) {
    topic = *topic_;
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

caf::error partition_slots::set(const core::offset_map& start) {
  ids_.clear();
  positions_.clear();
  index_.clear();
  for (const auto& [id, offset] : start) {
    auto tp = parse(id);
    if (!tp) return tp.error();
    auto& by_partition = index_[tp->topic];
    if (by_partition.size() <= static_cast<size_t>(tp->partition))
      by_partition.resize(static_cast<size_t>(tp->partition) + 1, -1);
    by_partition[static_cast<size_t>(tp->partition)] = static_cast<int32_t>(ids_.size());
    ids_.push_back(id);
    positions_.push_back(offset);
  }
  last_rkt_ = nullptr;
  return {};
}

std::optional<std::vector<core::partition_id>> partition_slots::dropped_at_position(
    const core::offset_map& start) const {
  if (start.empty() || start.size() >= ids_.size()) return std::nullopt;
  std::vector<core::partition_id> dropped;
  size_t kept = 0;
  for (size_t i = 0; i < ids_.size(); ++i) {
    auto s = start.find(ids_[i]);
    if (s == start.end()) {
      dropped.push_back(ids_[i]);
    } else {
      if (s->second != positions_[i]) return std::nullopt;
      ++kept;
    }
  }
  if (kept != start.size()) return std::nullopt;
  return dropped;
}

void partition_slots::drop(const std::vector<core::partition_id>& ids) {
  auto at = position();
  for (const auto& id : ids) at.erase(id);
  // Every id of `at` parsed when it was set.
  (void)set(at);
}

core::offset_map partition_slots::position() const {
  core::offset_map m;
  for (size_t i = 0; i < ids_.size(); ++i) m[ids_[i]] = positions_[i];
  return m;
}

int32_t partition_slots::slot_of(const rd_kafka_message_t* m) {
  if (!m->rkt) return -1;
  if (m->rkt != last_rkt_) {
    auto i = index_.find(rd_kafka_topic_name(m->rkt));
    last_slots_ = i == index_.end() ? nullptr : &i->second;
    last_rkt_ = m->rkt;
  }
  if (!last_slots_ || m->partition < 0 ||
      static_cast<size_t>(m->partition) >= last_slots_->size())
    return -1;
  return (*last_slots_)[static_cast<size_t>(m->partition)];
}

bool partition_slots::take(rd_kafka_message_t* m, record_batch& out) {
  int32_t slot = slot_of(m);
  if (slot < 0) {  // from an older assignment
    rd_kafka_message_destroy(m);
    return false;
  }
  stream_record r;
  r.slot = static_cast<uint32_t>(slot);
  r.offset = m->offset;
  r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
  if (m->key) r.key = {static_cast<const char*>(m->key), m->key_len};
  if (m->payload) r.value = {static_cast<const char*>(m->payload), m->len};
  rd_kafka_headers_t* hdrs = nullptr;
  if (out.with_headers &&
      rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
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
  out.own(m,
          [](void* p) { rd_kafka_message_destroy(static_cast<rd_kafka_message_t*>(p)); });
  return true;
}

caf::expected<std::vector<core::partition_id>> list_partitions(
    rd_kafka_t* rk, const std::optional<std::string>& topic, const std::regex& pattern,
    std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  auto rc = rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (rc) return to_error(rc, "listing partitions");
  std::vector<core::partition_id> out;
  bool found = false;
  caf::error topic_error;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    std::string name = t.topic;
    bool match = topic ? name == *topic
                       : (name.rfind("__", 0) != 0 && std::regex_match(name, pattern));
    if (!match) continue;
    if (t.err) {
      topic_error = to_error(t.err, "topic [" + name + "]");
      continue;
    }
    found = true;
    for (int p = 0; p < t.partition_cnt; ++p)
      out.push_back(topic ? std::to_string(t.partitions[p].id)
                          : name + ":" + std::to_string(t.partitions[p].id));
  }
  rd_kafka_metadata_destroy(md);
  if (!found && topic_error) return topic_error;
  if (!found && topic)
    return make_error(errc::unknown_topic, "topic [" + *topic + "] does not exist");
  std::sort(out.begin(), out.end(), core::partition_less{});
  return out;
}

caf::expected<core::offset_map> query_offsets(rd_kafka_t* rk, const partition_slots& ids,
                                              const std::vector<core::partition_id>& ps,
                                              int64_t which,
                                              std::chrono::milliseconds timeout) {
  if (ps.empty()) return core::offset_map{};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(ps.size()));
    for (const auto& id : ps) {
      auto tp = ids.parse(id);
      if (!tp) {
        rd_kafka_topic_partition_list_destroy(list);
        return tp.error();
      }
      rd_kafka_topic_partition_list_add(list, tp->topic.c_str(), tp->partition)->offset =
          which;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto rc = rd_kafka_offsets_for_times(rk, list,
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
    bool retry = is_unreachable(rc) || rc == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    if (!retry || std::chrono::steady_clock::now() + 50ms >= deadline)
      return to_error(
          rc, which == RD_KAFKA_OFFSET_END ? "latest offsets" : "earliest offsets");
    std::this_thread::sleep_for(50ms);
  }
}

caf::error message_error(rd_kafka_t* rk, partition_slots& slots, rd_kafka_message_t* m) {
  auto err = m->err;
  if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF || is_unreachable(err))
    return {};  // the client retries; the reader reports reachability
  int32_t slot = slots.slot_of(m);
  std::string id = slot >= 0 ? slots.ids()[static_cast<size_t>(slot)] : std::string{"?"};
  if (err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
      err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
    out_of_range_info info;
    info.partition = id;
    info.requested = slot >= 0 ? slots.position_of(slot) : core::stream_offset{m->offset};
    if (slot >= 0) {
      if (auto lo = query_offsets(rk, slots, {id}, RD_KAFKA_OFFSET_BEGINNING, 2000ms);
          lo && lo->count(id))
        info.earliest = lo->at(id);
      if (auto hi = query_offsets(rk, slots, {id}, RD_KAFKA_OFFSET_END, 2000ms);
          hi && hi->count(id))
        info.latest = hi->at(id);
    }
    return make_out_of_range(
        info, "offset " + info.requested.to_string() + " of partition " + id +
                  " is not available (earliest " + info.earliest.to_string() +
                  ", latest " + info.latest.to_string() + ")");
  }
  return to_error(err, "reading partition " + id + ": " + rd_kafka_message_errstr(m));
}

}  // namespace sv::adapters::kafka
