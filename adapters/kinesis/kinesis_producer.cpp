#include "adapters/kinesis/kinesis_producer.hpp"

#include "adapters/crypto/base64.hpp"

#include <thread>

#include "adapters/errc.hpp"
#include "adapters/kinesis/kinesis_client.hpp"

namespace sv::adapters {

namespace {

using core::json;
using namespace std::chrono_literals;

std::string text(const json& j, std::string_view key) {
  auto* v = j.find(key);
  return v && v->is_string() ? v->as_string() : std::string{};
}

// (a + b) / 2 of two decimal strings.
std::string midpoint(const std::string& a, const std::string& b) {
  // Add.
  std::string sum;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    sum.insert(sum.begin(), static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  // Halve.
  std::string out;
  int rem = 0;
  for (char c : sum) {
    int d = rem * 10 + (c - '0');
    out.push_back(static_cast<char>('0' + d / 2));
    rem = d % 2;
  }
  auto nz = out.find_first_not_of('0');
  return nz == std::string::npos ? "0" : out.substr(nz);
}

}  // namespace

kinesis_producer::kinesis_producer(core::stream::kinesis_endpoint endpoint)
    : client_(std::make_unique<kinesis_client>(std::move(endpoint), 30s)) {}

kinesis_producer::~kinesis_producer() = default;

caf::error kinesis_producer::create_stream(const std::string& stream, int shards) {
  auto r =
      client_->call("CreateStream",
                    json::make_object({{"StreamName", stream}, {"ShardCount", shards}}));
  if (!r && kinesis_error_type(r.error()) != "ResourceInUseException") return r.error();
  return wait_active(stream, 60s);
}

caf::error kinesis_producer::delete_stream(const std::string& stream) {
  auto r = client_->call("DeleteStream", json::make_object({{"StreamName", stream}}));
  return r ? caf::error{} : r.error();
}

caf::error kinesis_producer::wait_active(const std::string& stream,
                                         std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto r = client_->call("DescribeStreamSummary",
                           json::make_object({{"StreamName", stream}}));
    if (!r) return r.error();
    auto* d = r->find("StreamDescriptionSummary");
    if (d && text(*d, "StreamStatus") == "ACTIVE") return caf::none;
    if (std::chrono::steady_clock::now() > deadline)
      return make_error(errc::stream_failed,
                        "kinesis: stream " + stream + " is not ACTIVE");
    std::this_thread::sleep_for(50ms);
  }
}

caf::expected<std::vector<kinesis_shard_info>> kinesis_producer::shards(
    const std::string& stream) {
  std::vector<kinesis_shard_info> out;
  std::string token;
  for (;;) {
    auto body = token.empty() ? json::make_object({{"StreamName", stream}})
                              : json::make_object({{"NextToken", token}});
    auto r = client_->call("ListShards", body);
    if (!r) return r.error();
    if (auto* list = r->find("Shards"); list && list->is_array())
      for (const auto& s : list->as_array()) {
        kinesis_shard_info info;
        info.id = text(s, "ShardId");
        info.parent = text(s, "ParentShardId");
        info.adjacent_parent = text(s, "AdjacentParentShardId");
        if (auto* h = s.find("HashKeyRange"); h && h->is_object()) {
          info.starting_hash_key = text(*h, "StartingHashKey");
          info.ending_hash_key = text(*h, "EndingHashKey");
        }
        if (auto* q = s.find("SequenceNumberRange"); q && q->is_object())
          info.closed = !text(*q, "EndingSequenceNumber").empty();
        out.push_back(std::move(info));
      }
    token = text(*r, "NextToken");
    if (token.empty()) return out;
  }
}

caf::error kinesis_producer::put(
    const std::string& stream,
    const std::vector<std::pair<std::string, std::string>>& records) {
  size_t at = 0;
  while (at < records.size()) {
    // Per key, a record goes out only after the earlier ones were written:
    // a call's failed records are sent again before anything after them.
    auto n = std::min<size_t>(500, records.size() - at);
    json::array entries;
    for (size_t i = at; i < at + n; ++i)
      entries.push_back(json::make_object({{"PartitionKey", records[i].first},
                                           {"Data", base64_encode(records[i].second)}}));
    auto r = client_->call("PutRecords",
                           json::make_object({{"StreamName", stream},
                                              {"Records", json{std::move(entries)}}}));
    if (!r) {
      if (kinesis_error_type(r.error()).find("Throughput") != std::string::npos ||
          is(r.error(), errc::stream_unreachable)) {
        std::this_thread::sleep_for(200ms);
        continue;
      }
      return r.error();
    }
    // Written up to the first failed record; the rest goes again.
    size_t ok = n;
    if (auto* res = r->find("Records"); res && res->is_array())
      for (size_t i = 0; i < res->as_array().size(); ++i)
        if (!text(res->as_array()[i], "ErrorCode").empty()) {
          ok = i;
          break;
        }
    at += ok;
    if (ok < n) std::this_thread::sleep_for(200ms);
  }
  return caf::none;
}

caf::error kinesis_producer::split(const std::string& stream, const std::string& shard) {
  auto all = shards(stream);
  if (!all) return all.error();
  for (const auto& s : *all)
    if (s.id == shard) {
      auto r = client_->call(
          "SplitShard",
          json::make_object({{"StreamName", stream},
                             {"ShardToSplit", shard},
                             {"NewStartingHashKey",
                              midpoint(s.starting_hash_key, s.ending_hash_key)}}));
      if (!r) return r.error();
      return wait_active(stream, 60s);
    }
  return make_error(errc::stream_failed, "kinesis: no shard " + shard);
}

caf::error kinesis_producer::merge(const std::string& stream, const std::string& shard,
                                   const std::string& adjacent) {
  auto r = client_->call("MergeShards",
                         json::make_object({{"StreamName", stream},
                                            {"ShardToMerge", shard},
                                            {"AdjacentShardToMerge", adjacent}}));
  if (!r) return r.error();
  return wait_active(stream, 60s);
}

}  // namespace sv::adapters
