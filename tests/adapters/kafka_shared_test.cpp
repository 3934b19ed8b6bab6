// Kafka readers sharing one client per cluster, against the embedded (mock)
// Kafka over TCP: exact reads per reader, wakeups instead of waiting, one
// client for many readers, a second client for a partition read twice,
// partitions dropped one by one, and per-partition flow control.

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <doctest/doctest.h>

#include "adapters/kafka/kafka_shared.hpp"
#include "tests/adapters/kafka_env.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::offset_map;

namespace {

struct shared_env : test::kafka_env {
  adapters::kafka_shared_clients hub;

  std::unique_ptr<adapters::stream_reader> shared(const std::string& topic,
                                                  core::json::object extra = {}) {
    adapters::kafka_reader_config cfg;
    cfg.consumer_properties = props();
    for (auto& m : extra) cfg.consumer_properties.push_back(std::move(m));
    cfg.topic = topic;
    cfg.client_id = "test";
    auto r = hub.open(cfg);
    REQUIRE_MESSAGE(r, core::error_message(r.error()));
    return std::move(*r);
  }
};

// Counts wakeups; waits for the next one with a deadline.
struct waker {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;

  std::function<void()> fn() {
    return [this] {
      std::lock_guard guard{mu};
      ++count;
      cv.notify_all();
    };
  }
  bool wait_past(int seen, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock{mu};
    return cv.wait_for(lock, limit, [&] { return count > seen; });
  }
  int now() {
    std::lock_guard guard{mu};
    return count;
  }
};

// Reads without waiting (timeout 0), as a scheduled task does: poll until
// empty, then wait for the wakeup, until `done`.
caf::error read_woken(adapters::stream_reader& r, waker& w,
                      std::vector<test::read_record>& out,
                      const std::function<bool()>& done) {
  adapters::record_batch batch;
  while (!done()) {
    int seen = w.now();
    auto n = r.poll(batch, 100, 0ms);
    if (!n) return n.error();
    for (const auto& rec : batch.records)
      out.push_back(test::read_record{batch.partition_of(rec), rec.offset,
                                      std::string{rec.key}, std::string{rec.value}});
    if (*n == 0 && !done() && !w.wait_past(seen))
      return core::make_error(core::errc::timeout, "no wakeup came");
  }
  return {};
}

// Each partition's records in order from `from` to `end`; with `values`,
// each is the one env.fill wrote first at its offset.
void check_exact(const std::vector<test::read_record>& got, offset_map from,
                 core::stream_offset end, bool values = true) {
  for (const auto& rec : got) {
    CAPTURE(rec.partition);
    REQUIRE(from.count(rec.partition));
    CHECK(rec.offset == from[rec.partition]);
    if (values) CHECK(rec.value == rec.partition + "-" + rec.offset.to_string());
    from[rec.partition] = from[rec.partition].value() + 1;
  }
  for (const auto& [p, next] : from) CHECK(next == end);
}

}  // namespace

TEST_CASE("shared readers: exact reads driven by wakeups, on one client") {
  shared_env env;
  REQUIRE_FALSE(env.cluster->create_topic("a", 2));
  REQUIRE_FALSE(env.cluster->create_topic("b", 1));
  env.fill("a", 2, 30);
  env.fill("b", 1, 30);
  auto ra = env.shared("a");
  auto rb = env.shared("b");
  waker wa, wb;
  REQUIRE(ra->set_wakeup(wa.fn()));
  REQUIRE(rb->set_wakeup(wb.fn()));
  REQUIRE_FALSE(ra->assign({{"0", 5}, {"1", 0}}));
  REQUIRE_FALSE(rb->assign({{"0", 10}}));
  CHECK(env.hub.clients() == 1);

  std::vector<test::read_record> ga, gb;
  REQUIRE_FALSE(read_woken(*ra, wa, ga, [&] { return ga.size() >= 55; }));
  REQUIRE_FALSE(read_woken(*rb, wb, gb, [&] { return gb.size() >= 20; }));
  CHECK(ga.size() == 55);
  CHECK(gb.size() == 20);
  check_exact(ga, {{"0", 5}, {"1", 0}}, 30);
  check_exact(gb, {{"0", 10}}, 30);
  CHECK(ra->position() == offset_map{{"0", 30}, {"1", 30}});

  // New records wake the reader whose queue was empty.
  int seen = wb.now();
  adapters::record_batch empty;
  REQUIRE(rb->poll(empty, 100, 0ms));
  REQUIRE_FALSE(env.producer->produce("b", 0, "k", "0-30"));
  REQUIRE_FALSE(env.producer->flush(10s));
  REQUIRE(wb.wait_past(seen));
  REQUIRE_FALSE(read_woken(*rb, wb, gb, [&] { return gb.size() >= 21; }));
  CHECK(gb.back().offset == 30);

  ra->close();
  rb->close();
  CHECK(env.hub.clients() == 0);
}

TEST_CASE("shared readers: a partition read twice gets a second client") {
  shared_env env;
  REQUIRE_FALSE(env.cluster->create_topic("t", 1));
  env.fill("t", 1, 40);
  auto r1 = env.shared("t");
  auto r2 = env.shared("t");
  REQUIRE_FALSE(r1->assign({{"0", 0}}));
  REQUIRE_FALSE(r2->assign({{"0", 25}}));
  CHECK(env.hub.clients() == 2);
  std::vector<test::read_record> g1, g2;
  REQUIRE_FALSE(test::read_until(*r1, g1, [&] { return g1.size() >= 40; }));
  REQUIRE_FALSE(test::read_until(*r2, g2, [&] { return g2.size() >= 15; }));
  check_exact(g1, {{"0", 0}}, 40);
  check_exact(g2, {{"0", 25}}, 40);
  r2->close();
  CHECK(env.hub.clients() == 1);
  // The partition is free again on the first client's cluster: a third reader
  // of another partition shares that client.
  REQUIRE_FALSE(env.cluster->create_topic("u", 1));
  auto r3 = env.shared("u");
  REQUIRE_FALSE(r3->assign({{"0", 0}}));
  CHECK(env.hub.clients() == 1);
}

TEST_CASE("shared readers: partitions dropped at their position stop, the rest go on") {
  shared_env env;
  REQUIRE_FALSE(env.cluster->create_topic("t", 3));
  env.fill("t", 3, 20);
  auto r = env.shared("t");
  REQUIRE_FALSE(r->assign({{"0", 0}, {"1", 0}, {"2", 0}}));
  std::vector<test::read_record> got;
  REQUIRE_FALSE(test::read_until(*r, got, [&] { return got.size() >= 60; }));
  REQUIRE_FALSE(r->assign({{"1", 20}}));  // two of three dropped at once
  env.fill("t", 3, 5);                    // 20..24 on each
  got.clear();
  REQUIRE_FALSE(test::read_until(*r, got, [&] { return got.size() >= 5; }));
  adapters::record_batch more;
  auto n = r->poll(more, 100, 300ms);
  REQUIRE(n);
  CHECK(*n == 0);
  for (const auto& rec : got) CHECK(rec.partition == "1");
  CHECK(r->position() == offset_map{{"1", 25}});
  // The same partition from an earlier offset: it starts again there.
  REQUIRE_FALSE(r->assign({{"1", 10}}));
  got.clear();
  REQUIRE_FALSE(test::read_until(*r, got, [&] { return got.size() >= 15; }));
  check_exact(got, {{"1", 10}}, 25, false);
  // Partitions 0 and 2 are free on the client: another reader starts them there.
  auto other = env.shared("t");
  REQUIRE_FALSE(other->assign({{"0", 20}, {"2", 20}}));
  CHECK(env.hub.clients() == 1);
  std::vector<test::read_record> got02;
  REQUIRE_FALSE(test::read_until(*other, got02, [&] { return got02.size() >= 10; }));
  check_exact(got02, {{"0", 20}, {"2", 20}}, 25, false);
}

TEST_CASE("shared readers: a reader that stops polling does not hold up the others") {
  shared_env env;
  REQUIRE_FALSE(env.cluster->create_topic("slow", 1));
  REQUIRE_FALSE(env.cluster->create_topic("fast", 1));
  std::string big(1000, 'x');
  for (int i = 0; i < 3000; ++i) REQUIRE_FALSE(env.producer->produce("slow", 0, "", big));
  REQUIRE_FALSE(env.producer->flush(30s));
  auto props =
      core::json::make_object({{"queued.max.messages.kbytes", "64"}}).as_object();
  auto slow = env.shared("slow", props);
  auto fast = env.shared("fast", props);
  REQUIRE_FALSE(slow->assign({{"0", 0}}));  // never polled
  REQUIRE_FALSE(fast->assign({{"0", 0}}));
  CHECK(env.hub.clients() == 1);
  std::vector<test::read_record> got;
  for (int round = 0; round < 5; ++round) {
    env.fill("fast", 1, 100);
    REQUIRE_FALSE(test::read_until(*fast, got, [&] {
      return got.size() >= static_cast<size_t>(100 * (round + 1));
    }));
  }
  check_exact(got, {{"0", 0}}, 500, false);
  // The slow one still has all of its records, from the first.
  std::vector<test::read_record> slow_got;
  REQUIRE_FALSE(test::read_until(
      *slow, slow_got, [&] { return slow_got.size() >= 3000; }, 30s, 1000));
  CHECK(slow_got.size() == 3000);
  CHECK(slow_got.front().offset == 0);
  CHECK(slow_got.back().offset == 2999);
}

TEST_CASE(
    "shared readers: an offset above the latest is out of range, with the details") {
  shared_env env;
  REQUIRE_FALSE(env.cluster->create_topic("t", 2));
  env.fill("t", 2, 25);
  auto r = env.shared("t");
  REQUIRE_FALSE(r->assign({{"0", 0}, {"1", 100}}));
  std::vector<test::read_record> got;
  auto err = test::read_until(*r, got, [] { return false; });
  REQUIRE(adapters::is(err, adapters::errc::offset_out_of_range));
  auto info = adapters::out_of_range_details(err);
  REQUIRE(info);
  CHECK(info->partition == "1");
  CHECK(info->requested == 100);
  CHECK(info->earliest == 0);
  CHECK(info->latest == 25);
}
