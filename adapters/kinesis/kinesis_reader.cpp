#include "adapters/kinesis/kinesis_reader.hpp"

#include "adapters/crypto/base64.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <thread>

#include "adapters/errc.hpp"
#include "adapters/kinesis/kinesis_client.hpp"
#include "core/errc.hpp"

namespace sv::adapters {

namespace {

using clock = std::chrono::steady_clock;
using core::json;
using core::stream_offset;

// Decoded record data of one poll; deque elements never move.
struct arena {
  std::deque<std::string> strings;
};

const std::string* str(const json& j, std::string_view key) {
  auto* v = j.find(key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

int64_t behind_ms(const json& reply) {
  auto* v = reply.find("MillisBehindLatest");
  return v && v->is_number() ? static_cast<int64_t>(v->as_number()) : 0;
}

bool throttled(const std::string& type) {
  return type == "ProvisionedThroughputExceededException" ||
         type == "LimitExceededException" || type == "KMSThrottlingException";
}

class kinesis_reader final : public stream_reader {
 public:
  explicit kinesis_reader(const kinesis_reader_config& cfg)
      : cfg_(cfg), client_(cfg.endpoint, cfg.request_timeout) {}

  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds) override {
    if (closed_) return make_error(errc::stream_failed, "kinesis reader closed");
    std::vector<core::partition_id> out;
    parents_.clear();
    auto note = [&](const json& shard) {
      auto* id = str(shard, "ShardId");
      if (!id) return;
      out.push_back(*id);
      for (auto key : {"ParentShardId", "AdjacentParentShardId"})
        if (auto* parent = str(shard, key); parent && !parent->empty())
          parents_[*id].push_back(*parent);
    };
    if (cfg_.use_list_shards) {
      std::string token;
      for (int page = 0; page < 1000; ++page) {
        auto body = token.empty() ? json::make_object({{"StreamName", cfg_.stream}})
                                  : json::make_object({{"NextToken", token}});
        auto r = client_.call("ListShards", body);
        if (!r) return r.error();
        if (auto* shards = r->find("Shards"); shards && shards->is_array())
          for (const auto& s : shards->as_array()) note(s);
        auto* next = str(*r, "NextToken");
        if (!next || next->empty()) break;
        token = *next;
      }
    } else {
      std::string after;
      for (int page = 0; page < 1000; ++page) {
        auto body = json::make_object({{"StreamName", cfg_.stream}});
        if (!after.empty()) body.set("ExclusiveStartShardId", after);
        auto r = client_.call("DescribeStream", body);
        if (!r) return r.error();
        auto* d = r->find("StreamDescription");
        if (!d || !d->is_object())
          return make_error(errc::stream_failed,
                            "kinesis: DescribeStream: no StreamDescription");
        if (auto* shards = d->find("Shards"); shards && shards->is_array())
          for (const auto& s : shards->as_array()) note(s);
        auto* more = d->find("HasMoreShards");
        if (!more || !more->is_bool() || !more->as_bool() || out.empty()) break;
        after = out.back();
      }
    }
    std::sort(out.begin(), out.end(), core::partition_less{});
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  caf::expected<core::offset_map> earliest_offsets(
      const std::vector<core::partition_id>& ps, std::chrono::milliseconds) override {
    core::offset_map out;
    for (const auto& p : ps) {
      auto it =
          shard_iterator(p, json::make_object({{"ShardIteratorType", "TRIM_HORIZON"}}));
      if (!it) return it.error();
      auto r = get_records(*it, 1);
      if (!r) return r.error();
      auto* recs = r->find("Records");
      bool empty = !recs || !recs->is_array() || recs->as_array().empty();
      out[p] = empty && !str(*r, "NextShardIterator") ? stream_offset::end()
                                                      : stream_offset{0};
    }
    return out;
  }

  caf::expected<core::offset_map> latest_offsets(
      const std::vector<core::partition_id>& ps, std::chrono::milliseconds) override {
    core::offset_map out;
    for (const auto& p : ps) {
      auto l = latest_of(p);
      if (!l) return l.error();
      out[p] = std::move(*l);
    }
    return out;
  }

  // One GetRecords of a record at each position: its MillisBehindLatest.
  caf::expected<core::offset_map> time_lag(const core::offset_map& positions,
                                           std::chrono::milliseconds) override {
    core::offset_map out;
    for (const auto& [p, o] : positions) {
      if (o.is_end()) {
        out[p] = 0;
        continue;
      }
      auto it = iterator_at(p, o);
      if (!it) return it.error();
      auto r = get_records(*it, 1);
      if (!r) return r.error();
      out[p] = behind_ms(*r);
    }
    return out;
  }

  caf::error assign(const core::offset_map& start) override {
    if (closed_) return make_error(errc::stream_failed, "kinesis reader closed");
    shards_.clear();
    slot_ids_.clear();
    for (const auto& [p, o] : start) {
      shard s;
      s.id = p;
      s.slot = static_cast<uint32_t>(slot_ids_.size());
      s.next = o;
      s.done = o.is_end();
      shards_.push_back(std::move(s));
      slot_ids_.push_back(p);
    }
    turn_ = 0;
    deferred_ = caf::error{};
    return caf::none;
  }

  caf::expected<size_t> poll(record_batch& out, size_t max_records,
                             std::chrono::milliseconds timeout) override {
    if (closed_) return make_error(errc::stream_failed, "kinesis reader closed");
    out.clear();
    out.partitions = slot_ids_;
    if (deferred_) return std::exchange(deferred_, caf::error{});
    auto deadline = clock::now() + timeout;
    auto* store = new arena;
    out.own(store, [](void* a) { delete static_cast<arena*>(a); });
    for (;;) {
      bool any_ready = false;
      auto next_wake = deadline;
      for (size_t k = 0; k < shards_.size() && out.size() < max_records; ++k) {
        auto& s = shards_[(turn_ + k) % shards_.size()];
        if (s.done) continue;
        auto now = clock::now();
        if (s.not_before > now) {
          next_wake = std::min(next_wake, s.not_before);
          continue;
        }
        any_ready = true;
        if (auto err = fetch(s, out, *store, max_records - out.size())) {
          if (out.empty()) return err;
          deferred_ = std::move(err);
          return out.size();
        }
        if (!s.done && s.not_before > clock::now())
          next_wake = std::min(next_wake, s.not_before);
      }
      turn_ = shards_.empty() ? 0 : (turn_ + 1) % shards_.size();
      if (!out.empty() || !out.ended.empty()) return out.size();
      auto now = clock::now();
      if (now >= deadline) return size_t{0};
      if (!any_ready || next_wake > now)
        std::this_thread::sleep_for(std::min(next_wake, deadline) - now);
      if (std::all_of(shards_.begin(), shards_.end(),
                      [](const shard& s) { return s.done; })) {
        std::this_thread::sleep_until(deadline);
        return size_t{0};
      }
    }
  }

  std::map<core::partition_id, std::vector<core::partition_id>> partition_parents()
      const override {
    return parents_;
  }

  core::offset_map position() const override {
    core::offset_map out;
    for (const auto& s : shards_) out[s.id] = s.next;
    return out;
  }

  void close() override {
    closed_ = true;
    shards_.clear();
  }

 private:
  struct shard {
    core::partition_id id;
    uint32_t slot = 0;
    stream_offset next;
    std::string iterator;
    bool done = false;
    clock::time_point not_before{};
  };

  caf::expected<std::string> shard_iterator(const core::partition_id& p, json body) {
    body.set("StreamName", cfg_.stream);
    body.set("ShardId", p);
    auto r = client_.call("GetShardIterator", body);
    if (!r) return r.error();
    auto* it = str(*r, "ShardIterator");
    if (!it)
      return make_error(errc::stream_failed, "kinesis: GetShardIterator: no iterator");
    return *it;
  }

  // An iterator at the position `next` of shard p.
  caf::expected<std::string> iterator_at(const core::partition_id& p,
                                         const stream_offset& next) {
    if (next <= 0)
      return shard_iterator(p,
                            json::make_object({{"ShardIteratorType", "TRIM_HORIZON"}}));
    return shard_iterator(
        p, json::make_object({{"ShardIteratorType", "AFTER_SEQUENCE_NUMBER"},
                              {"StartingSequenceNumber", (next - 1).to_string()}}));
  }

  caf::expected<json> get_records(const std::string& iterator, int limit) {
    return client_.call(
        "GetRecords", json::make_object({{"ShardIterator", iterator}, {"Limit", limit}}));
  }

  // One GetRecords call for shard s into `out`.
  caf::error fetch(shard& s, record_batch& out, arena& store, size_t room) {
    if (s.iterator.empty()) {
      auto it = iterator_at(s.id, s.next);
      if (!it) return on_error(s, it.error());
      s.iterator = std::move(*it);
    }
    auto limit = static_cast<int>(
        std::min<size_t>(room, static_cast<size_t>(cfg_.max_records_per_call)));
    auto r = get_records(s.iterator, std::max(limit, 1));
    if (!r) return on_error(s, r.error());
    size_t got = 0;
    if (auto* recs = r->find("Records"); recs && recs->is_array()) {
      for (const auto& rec : recs->as_array()) {
        auto* seq = str(rec, "SequenceNumber");
        auto* data = str(rec, "Data");
        if (!seq || !data) continue;
        auto offset = stream_offset::parse(*seq);
        if (!offset)
          return make_error(errc::stream_failed, "kinesis: bad sequence number " + *seq);
        auto& value = store.strings.emplace_back();
        if (!base64_decode(*data, value))
          return make_error(errc::stream_failed,
                            "kinesis: record " + *seq + " has bad base64 data");
        stream_record sr;
        sr.slot = s.slot;
        sr.offset = *offset;
        sr.value = value;
        if (auto* key = str(rec, "PartitionKey"))
          sr.key = store.strings.emplace_back(*key);
        if (auto* ts = rec.find("ApproximateArrivalTimestamp"); ts && ts->is_number())
          sr.timestamp_ms = static_cast<int64_t>(ts->as_number() * 1000.0);
        out.records.push_back(sr);
        s.next = *offset + 1;
        ++got;
      }
    }
    if (auto* next = str(*r, "NextShardIterator"); next && !next->empty()) {
      s.iterator = *next;
    } else {
      s.iterator.clear();
      s.done = true;
      s.next = stream_offset::end();
      out.ended.push_back(s.slot);
      return caf::none;
    }
    auto wait = cfg_.fetch_delay;
    if (got == 0 && behind_ms(*r) == 0) wait = std::max(wait, cfg_.empty_wait);
    s.not_before = clock::now() + wait;  // waits count from the answer
    return caf::none;
  }

  caf::error on_error(shard& s, const caf::error& err) {
    auto now = clock::now();
    auto type = kinesis_error_type(err);
    if (throttled(type)) {
      s.not_before = now + cfg_.throttle_wait;
      return caf::none;
    }
    if (type == "ExpiredIteratorException") {
      s.iterator.clear();  // fetched again from the position on the next call
      return caf::none;
    }
    s.iterator.clear();
    return err;
  }

  // The position after the shard's last record (see the header). Reads from a
  // timestamp to the end of the shard: the first time from 1 s back, widening
  // while the shard was quiet; later from the previous answer's time (less a
  // margin for clock skew and records still in flight), so a quiet shard is
  // not read again from far back on every call.
  caf::expected<stream_offset> latest_of(const core::partition_id& p) {
    using namespace std::chrono_literals;
    using std::chrono::seconds;
    auto now = std::chrono::system_clock::now();
    auto cached = latest_cache_.find(p);
    std::vector<seconds> windows{1s, 10s, 300s, 3600s, 86400s * 8};
    if (cached != latest_cache_.end())
      windows = {std::chrono::duration_cast<seconds>(now - cached->second.at) + 5s};
    for (auto window : windows) {
      auto found = last_record_since(p, now - window);
      if (!found) return found.error();
      if (!*found) continue;
      if ((*found)->is_end()) {
        latest_cache_.erase(p);
        return stream_offset::end();
      }
      auto next = **found + 1;
      if (cached != latest_cache_.end() && cached->second.next > next)
        next = cached->second.next;
      latest_cache_[p] = {next, now};
      return next;
    }
    if (cached != latest_cache_.end()) {
      cached->second.at = now;  // nothing new since the last answer
      return cached->second.next;
    }
    // Quiet for longer than the widest window: read from the trim horizon.
    auto found = last_record_since(p, std::nullopt);
    if (!found) return found.error();
    if (*found && (*found)->is_end()) return stream_offset::end();
    auto next = *found ? **found + 1 : stream_offset{0};  // 0: no records at all
    latest_cache_[p] = {next, now};
    return next;
  }

  // The sequence number of the last record that arrived since `since` (all
  // retained records without it); nullopt: none did; end(): the shard is closed.
  caf::expected<std::optional<stream_offset>> last_record_since(
      const core::partition_id& p,
      std::optional<std::chrono::system_clock::time_point> since) {
    auto body = json::make_object({{"ShardIteratorType", "TRIM_HORIZON"}});
    if (since)
      body = json::make_object(
          {{"ShardIteratorType", "AT_TIMESTAMP"},
           {"Timestamp",
            std::chrono::duration<double>(since->time_since_epoch()).count()}});
    auto it = shard_iterator(p, body);
    if (!it) return it.error();
    std::optional<stream_offset> last;
    std::string iterator = *it;
    for (int call = 0; call < 1000; ++call) {
      auto r = get_records(iterator, cfg_.max_records_per_call);
      if (!r) return r.error();
      size_t n = 0;
      if (auto* recs = r->find("Records"); recs && recs->is_array()) {
        n = recs->as_array().size();
        if (n > 0)
          if (auto* seq = str(recs->as_array().back(), "SequenceNumber"))
            if (auto v = stream_offset::parse(*seq)) last = *v;
      }
      auto* next = str(*r, "NextShardIterator");
      if (!next || next->empty()) return std::optional{stream_offset::end()};  // closed
      iterator = *next;
      // Caught up (a closed shard answers its last call without an iterator).
      if (n == 0 && behind_ms(*r) == 0) break;
    }
    return last;
  }

  struct latest_seen {
    stream_offset next;
    std::chrono::system_clock::time_point at;
  };

  kinesis_reader_config cfg_;
  kinesis_client client_;
  std::vector<shard> shards_;
  std::vector<core::partition_id> slot_ids_;
  size_t turn_ = 0;
  caf::error deferred_;
  bool closed_ = false;
  std::map<core::partition_id, latest_seen> latest_cache_;
  std::map<core::partition_id, std::vector<core::partition_id>> parents_;
};

}  // namespace

caf::expected<std::unique_ptr<stream_reader>> open_kinesis_reader(
    const kinesis_reader_config& cfg) {
  if (cfg.stream.empty())
    return make_error(errc::stream_config, "kinesis: no stream name");
  return std::unique_ptr<stream_reader>{new kinesis_reader(cfg)};
}

}  // namespace sv::adapters
