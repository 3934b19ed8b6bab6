// The Kinesis reader against a fake Kinesis (an HTTP server in the test) for
// what the emulators do not model: throttling, expired iterators and
// MillisBehindLatest. One shard of 40 records with 56-digit sequence numbers.

#include <doctest/doctest.h>

#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "adapters/errc.hpp"
#include "adapters/kinesis/kinesis_reader.hpp"
#include "core/errc.hpp"
#include "core/json.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::json;

namespace {

using clock = std::chrono::steady_clock;
constexpr const char* shard = "shardId-000000000000";

std::string seq_of(int i) {
  auto n = std::to_string(1000 + i);
  return "4959033827149025660855969253836157109592157598913658" + n.substr(n.size() - 4);
}

class fake_kinesis {
 public:
  static constexpr int records = 40;

  fake_kinesis() {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread{[this] { server_.listen_after_bind(); }};
    auto deadline = clock::now() + 5s;
    while (!server_.is_running() && clock::now() < deadline) std::this_thread::yield();
    REQUIRE(server_.is_running());
  }
  ~fake_kinesis() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::mutex mtx;
  int throttle_next = 0;            ///< GetRecords calls still to refuse as throttled
  int iterator_gen = 0;             ///< iterators of older generations have expired
  int64_t behind_ms = 0;            ///< MillisBehindLatest of every GetRecords
  bool huge = false;                ///< GetRecords answers 65 MiB
  std::vector<std::string> starts;  ///< "TYPE" or "TYPE SEQ" of each GetShardIterator
  std::vector<clock::time_point> throttled_at, records_at;

 private:
  void error(httplib::Response& res, const std::string& type) {
    res.status = 400;
    res.set_content(R"({"__type":")" + type + R"(","message":"fake"})",
                    "application/x-amz-json-1.1");
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> g{mtx};
    auto op = req.get_header_value("X-Amz-Target");
    auto body = json::parse(req.body);
    REQUIRE(body);
    REQUIRE_FALSE(req.get_header_value("Authorization").empty());
    json out = json::make_object({});
    if (op.ends_with(".GetShardIterator")) {
      auto type = body->find("ShardIteratorType")->as_string();
      int at = 0;
      if (type == "AFTER_SEQUENCE_NUMBER") {
        auto s = body->find("StartingSequenceNumber")->as_string();
        starts.push_back(type + " " + s);
        for (int i = 0; i < records; ++i)
          if (seq_of(i) == s) at = i + 1;
      } else {
        starts.push_back(type);
        if (type == "AT_TIMESTAMP") at = records;  // every record is older
      }
      out.set("ShardIterator",
              "it:" + std::to_string(at) + ":" + std::to_string(iterator_gen));
    } else if (op.ends_with(".GetRecords")) {
      if (throttle_next > 0) {
        --throttle_next;
        throttled_at.push_back(clock::now());
        return error(res, "ProvisionedThroughputExceededException");
      }
      auto it = body->find("ShardIterator")->as_string();
      auto colon = it.find(':', 3);
      int at = std::stoi(it.substr(3, colon - 3));
      int gen = std::stoi(it.substr(colon + 1));
      if (gen < iterator_gen) return error(res, "ExpiredIteratorException");
      if (huge) {
        res.set_content(std::string(65u << 20, ' '), "application/x-amz-json-1.1");
        return;
      }
      records_at.push_back(clock::now());
      auto limit = static_cast<int>(body->find("Limit")->as_int());
      json::array recs;
      int i = at;
      for (; i < records && i < at + limit; ++i)
        recs.push_back(
            json::make_object({{"SequenceNumber", seq_of(i)},
                               {"Data", "aWQ="},  // "id"
                               {"PartitionKey", "k"},
                               {"ApproximateArrivalTimestamp", 1767225600.5}}));
      out.set("Records", json{std::move(recs)});
      out.set("NextShardIterator", "it:" + std::to_string(i) + ":" + std::to_string(gen));
      out.set("MillisBehindLatest", behind_ms);
    } else {
      return error(res, "InvalidArgumentException");
    }
    res.set_content(out.dump(), "application/x-amz-json-1.1");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::unique_ptr<adapters::stream_reader> reader(const fake_kinesis& k) {
  adapters::kinesis_reader_config cfg;
  cfg.endpoint.url = k.url();
  cfg.endpoint.access_key = "a";
  cfg.endpoint.secret_key = "b";
  cfg.stream = "s";
  cfg.empty_wait = 20ms;
  cfg.throttle_wait = 300ms;
  auto r = adapters::open_kinesis_reader(cfg);
  REQUIRE(r);
  return std::move(*r);
}

// Reads until `want` records came (10 s at most); their sequence numbers.
std::vector<std::string> read(adapters::stream_reader& r, size_t want, size_t per_poll) {
  std::vector<std::string> got;
  adapters::record_batch batch;
  auto deadline = clock::now() + 10s;
  while (got.size() < want && clock::now() < deadline) {
    auto n = r.poll(batch, per_poll, 100ms);
    REQUIRE(n);
    for (const auto& rec : batch.records) {
      CHECK(rec.value == "id");
      CHECK(rec.timestamp_ms == 1767225600500);
      got.push_back(rec.offset.to_string());
    }
  }
  return got;
}

std::vector<std::string> seqs(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(seq_of(i));
  return out;
}

}  // namespace

TEST_CASE("a throttled shard backs off, then reads on with nothing lost") {
  fake_kinesis k;
  k.throttle_next = 2;
  auto r = reader(k);
  REQUIRE_FALSE(r->assign({{shard, 0}}));
  CHECK(read(*r, 40, 1000) == seqs(0, 40));
  std::lock_guard<std::mutex> g{k.mtx};
  REQUIRE(k.throttled_at.size() == 2);
  REQUIRE_FALSE(k.records_at.empty());
  // Each throttled call is followed by a wait of the back-off.
  CHECK(k.throttled_at[1] - k.throttled_at[0] >= 300ms);
  CHECK(k.records_at.front() - k.throttled_at[1] >= 300ms);
  CHECK(k.starts == std::vector<std::string>{"TRIM_HORIZON"});
}

TEST_CASE("an expired iterator is fetched again after the last record read") {
  fake_kinesis k;
  auto r = reader(k);
  REQUIRE_FALSE(r->assign({{shard, 0}}));
  auto first = read(*r, 5, 5);
  CHECK(first == seqs(0, 5));
  CHECK(r->position().at(shard).to_string() ==
        "49590338271490256608559692538361571095921575989136581005");
  {
    std::lock_guard<std::mutex> g{k.mtx};
    ++k.iterator_gen;  // the reader's iterator expires
  }
  auto rest = read(*r, 35, 1000);
  CHECK(rest == seqs(5, 40));
  std::lock_guard<std::mutex> g{k.mtx};
  CHECK(k.starts ==
        std::vector<std::string>{"TRIM_HORIZON", "AFTER_SEQUENCE_NUMBER " + seq_of(4)});
}

TEST_CASE("time lag is MillisBehindLatest at each position") {
  fake_kinesis k;
  k.behind_ms = 4200;
  auto r = reader(k);
  auto pos = core::stream_offset::parse(seq_of(2));
  REQUIRE(pos);
  auto lag = r->time_lag({{shard, *pos + 1}}, 1s);
  REQUIRE(lag);
  CHECK(lag->at(shard) == 4200);
  // A shard read to its end is not behind, and is not asked.
  auto done = r->time_lag({{shard, core::stream_offset::end()}}, 1s);
  REQUIRE(done);
  CHECK(done->at(shard) == 0);
  std::lock_guard<std::mutex> g{k.mtx};
  CHECK(k.starts == std::vector<std::string>{"AFTER_SEQUENCE_NUMBER " + seq_of(2)});
}

TEST_CASE("other stream readers do not report time lag") {
  struct plain final : adapters::stream_reader {
    caf::expected<std::vector<core::partition_id>> partitions(
        std::chrono::milliseconds) override {
      return std::vector<core::partition_id>{};
    }
    caf::expected<core::offset_map> earliest_offsets(
        const std::vector<core::partition_id>&, std::chrono::milliseconds) override {
      return core::offset_map{};
    }
    caf::expected<core::offset_map> latest_offsets(const std::vector<core::partition_id>&,
                                                   std::chrono::milliseconds) override {
      return core::offset_map{};
    }
    caf::error assign(const core::offset_map&) override { return caf::none; }
    caf::expected<size_t> poll(adapters::record_batch&, size_t,
                               std::chrono::milliseconds) override {
      return size_t{0};
    }
    core::offset_map position() const override { return {}; }
    void close() override {}
  } r;
  auto lag = r.time_lag({{"0", 5}}, 1s);
  REQUIRE_FALSE(lag);
  CHECK(adapters::is(lag.error(), adapters::errc::stream_config));
}

TEST_CASE(
    "latest of a shard quiet for longer than every window is read from the trim "
    "horizon") {
  fake_kinesis k;
  auto r = reader(k);
  auto latest = r->latest_offsets({shard}, 1s);
  REQUIRE(latest);
  CHECK(latest->at(shard) == *core::stream_offset::parse(seq_of(39)) + 1);
  std::lock_guard<std::mutex> g{k.mtx};
  REQUIRE_FALSE(k.starts.empty());
  CHECK(k.starts.back() == "TRIM_HORIZON");
}

TEST_CASE("a reply over 64 MiB is refused, not buffered") {
  fake_kinesis k;
  k.huge = true;
  auto r = reader(k);
  REQUIRE_FALSE(r->assign({{shard, 0}}));
  adapters::record_batch batch;
  auto n = r->poll(batch, 10, 1s);
  REQUIRE_FALSE(n);
  CHECK(adapters::is(n.error(), adapters::errc::stream_failed));
  CHECK(core::error_message(n.error()).find("64 MiB") != std::string::npos);
}
