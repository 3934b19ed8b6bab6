// Waking librdkafka's fetcher once a reader drained its queue
// (adapters/kafka/fetch_wake): the watch's arithmetic, and both Kafka readers
// reading a backlog many times their queue bound against the embedded Kafka
// without the fetcher's idle second after each fill.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "adapters/kafka/fetch_wake.hpp"
#include "adapters/kafka/kafka_shared.hpp"
#include "tests/adapters/kafka_env.hpp"

using namespace sv;
using namespace std::chrono_literals;

namespace {

constexpr int partitions = 4;
constexpr int per_partition = 4000;

// 16 MB (records of 1,000 bytes) in topic "backlog".
void fill_backlog(test::kafka_env& env) {
  REQUIRE_FALSE(env.cluster->create_topic("backlog", partitions));
  std::string big(1000, 'x');
  for (int p = 0; p < partitions; ++p)
    for (int i = 0; i < per_partition; ++i)
      REQUIRE_FALSE(env.producer->produce("backlog", p, "", big));
  REQUIRE_FALSE(env.producer->flush(30s));
}

// A reader of "backlog" whose queue holds 256 kB.
adapters::kafka_reader_config small_queue(const test::kafka_env& env) {
  adapters::kafka_reader_config cfg;
  cfg.consumer_properties = env.props();
  cfg.consumer_properties.push_back({"queued.max.messages.kbytes", core::json{"256"}});
  cfg.topic = "backlog";
  cfg.client_id = "test";
  return cfg;
}

// Reads the whole backlog from offset 0: every record once, in order, and at
// most one pause of 0.5 s between records. Each time the queue fills (about
// ten times, a fetch bringing about 1 MB), librdkafka 2.0.2 stops fetching
// until its broker thread wakes, by itself a second later: 9 such pauses
// without the wake-up. One is allowed for a busy machine.
void read_backlog(adapters::stream_reader& r) {
  core::offset_map start;
  for (int p = 0; p < partitions; ++p) start[std::to_string(p)] = 0;
  REQUIRE_FALSE(r.assign(start));
  using steady = std::chrono::steady_clock;
  std::vector<test::read_record> got;
  auto total = static_cast<size_t>(partitions * per_partition);
  auto moved = steady::now();
  size_t seen = 0;
  std::vector<double> pauses;  // seconds without a record, 0.5 or more
  auto err = test::read_until(
      r, got,
      [&] {
        auto now = steady::now();
        if (got.size() != seen) {
          if (now - moved >= 500ms)
            pauses.push_back(std::chrono::duration<double>(now - moved).count());
          moved = now;
          seen = got.size();
        }
        return got.size() >= total;
      },
      60s, 1000);
  REQUIRE_MESSAGE(!err, core::error_message(err));
  CHECK(got.size() == total);
  std::map<std::string, int64_t> next;
  for (const auto& rec : got) CHECK(rec.offset == next[rec.partition]++);
  CHECK(next.size() == static_cast<size_t>(partitions));
  for (const auto& [p, n] : next) CHECK(n == per_partition);
  CAPTURE(pauses.size());
  CHECK(pauses.size() <= 1);
}

}  // namespace

TEST_CASE(
    "queue watch: once the queue came near a threshold, wakes once it is below half") {
  adapters::kafka::queue_watch w{{/*max_messages=*/1000, /*max_bytes=*/100 * 1000}};
  // Records of 100 bytes: the byte threshold is 1,000 records' worth.
  CHECK_FALSE(w.drained(100, 100 * 100, 400));  // 500 seen: not near
  CHECK_FALSE(w.drained(100, 100 * 100, 0));    // drained, but never near
  CHECK_FALSE(w.drained(100, 100 * 100, 700));  // 800 seen (80 kB): near
  CHECK_FALSE(w.drained(100, 100 * 100, 600));  // 60 kB left: not below half yet
  CHECK(w.drained(200, 200 * 100, 400));        // 40 kB left: wake
  CHECK_FALSE(w.drained(100, 100 * 100, 300));  // once per fill
  CHECK_FALSE(w.drained(0, 0, 0));
  // The message threshold alone (records of 1 byte never come near the bytes).
  adapters::kafka::queue_watch m{{1000, 100 * 1000}};
  CHECK_FALSE(m.drained(10, 10, 790));
  CHECK(m.drained(500, 500, 300));
  // Large records: a few of them fill the bytes.
  adapters::kafka::queue_watch b{{1000, 100 * 1000}};
  CHECK_FALSE(b.drained(1, 20000, 4));  // 5 x 20 kB = 100 kB seen
  CHECK_FALSE(b.drained(1, 20000, 3));  // 60 kB left
  CHECK(b.drained(2, 40000, 1));        // 20 kB left
}

TEST_CASE("fetch wake: a reader on its own client reads a backlog without idle seconds") {
  test::kafka_env env;
  fill_backlog(env);
  auto r = adapters::open_kafka_reader(small_queue(env));
  REQUIRE_MESSAGE(r, core::error_message(r.error()));
  read_backlog(**r);
}

TEST_CASE(
    "fetch wake: a reader alone on a shared client reads a backlog without idle "
    "seconds") {
  test::kafka_env env;
  fill_backlog(env);
  adapters::kafka_shared_clients hub;
  auto r = hub.open(small_queue(env));
  REQUIRE_MESSAGE(r, core::error_message(r.error()));
  read_backlog(**r);
  CHECK(hub.clients() == 1);
}
