// The Kinesis reader and producer on a local Kinesis emulator
// (STREAMVISOR_TEST_KINESIS: scripts/test starts kinesalite).

#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdlib>
#include <map>
#include <set>

#include "adapters/errc.hpp"
#include "adapters/kinesis/kinesis_producer.hpp"
#include "adapters/kinesis/kinesis_reader.hpp"
#include "core/errc.hpp"

using namespace sv;
using namespace std::chrono_literals;

namespace {

core::stream::kinesis_endpoint endpoint() {
  const char* url = std::getenv("STREAMVISOR_TEST_KINESIS");
  REQUIRE_MESSAGE(url != nullptr,
                  "STREAMVISOR_TEST_KINESIS is not set: run scripts/test, which starts "
                  "a Kinesis emulator");
  auto e = core::stream::parse_kinesis_endpoint(
      url, [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  REQUIRE(e);
  return *e;
}

std::string unique_stream(const std::string& prefix) {
  static int n = 0;
  return prefix + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

void put_ids(adapters::kinesis_producer& prod, const std::string& stream, int from,
             int to) {
  std::vector<std::pair<std::string, std::string>> recs;
  for (int i = from; i < to; ++i)
    recs.emplace_back("key-" + std::to_string(i % 37), "id-" + std::to_string(i));
  REQUIRE_FALSE(prod.put(stream, recs));
}

std::unique_ptr<adapters::stream_reader> reader(const std::string& stream,
                                                bool list_shards = true) {
  adapters::kinesis_reader_config cfg;
  cfg.endpoint = endpoint();
  cfg.stream = stream;
  cfg.use_list_shards = list_shards;
  cfg.empty_wait = 50ms;
  auto r = adapters::open_kinesis_reader(cfg);
  REQUIRE(r);
  return std::move(*r);
}

// Polls until `want` records arrived (or 20 s passed); values in `seen`, each
// checked to arrive once and in sequence order within its shard.
void read_into(adapters::stream_reader& r, std::multiset<std::string>& seen,
               size_t want) {
  adapters::record_batch batch;
  std::map<core::partition_id, core::stream_offset> last;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (seen.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto n = r.poll(batch, 1000, 200ms);
    REQUIRE(n);
    for (const auto& rec : batch.records) {
      const auto& p = batch.partition_of(rec);
      if (last.count(p)) CHECK(rec.offset > last[p]);
      last[p] = rec.offset;
      seen.insert(std::string{rec.value});
      CHECK(rec.key.starts_with("key-"));
      CHECK(rec.timestamp_ms > 0);
    }
  }
}

}  // namespace

TEST_CASE("a 4-shard stream is read from its trim horizon exactly once, and resumes") {
  auto stream = unique_stream("svk");
  adapters::kinesis_producer prod{endpoint()};
  REQUIRE_FALSE(prod.create_stream(stream, 4));
  put_ids(prod, stream, 0, 2000);

  auto r = reader(stream);
  auto ps = r->partitions(5s);
  REQUIRE(ps);
  REQUIRE(ps->size() == 4);
  CHECK(ps->front() == "shardId-000000000000");
  auto earliest = r->earliest_offsets(*ps, 5s);
  REQUIRE(earliest);
  for (const auto& [p, o] : *earliest) CHECK(o == 0);
  REQUIRE_FALSE(r->assign(*earliest));
  std::multiset<std::string> seen;
  read_into(*r, seen, 1000);
  auto mid = r->position();
  for (const auto& [p, o] : mid) CHECK((o == 0 || o > core::stream_offset{INT64_MAX}));

  // A second reader resumes at the first one's position: the rest, once.
  auto r2 = reader(stream, false);  // DescribeStream this time
  REQUIRE(r2->partitions(5s)->size() == 4);
  REQUIRE_FALSE(r2->assign(mid));
  read_into(*r2, seen, 2000);
  REQUIRE(seen.size() == 2000);
  for (int i = 0; i < 2000; ++i) CHECK(seen.count("id-" + std::to_string(i)) == 1);

  // Latest is the position after each shard's last record.
  auto latest = r2->latest_offsets(*ps, 5s);
  REQUIRE(latest);
  CHECK(*latest == r2->position());
  REQUIRE_FALSE(prod.delete_stream(stream));
}

TEST_CASE("reading from latest sees only what is written afterwards") {
  auto stream = unique_stream("svk");
  adapters::kinesis_producer prod{endpoint()};
  REQUIRE_FALSE(prod.create_stream(stream, 2));
  auto r = reader(stream);
  auto ps = *r->partitions(5s);
  auto empty = r->latest_offsets(ps, 5s);
  REQUIRE_MESSAGE(empty, core::error_message(empty.error()));
  for (const auto& [p, o] : *empty) CHECK(o == 0);  // no records: all to come is new
  put_ids(prod, stream, 0, 300);
  auto latest = r->latest_offsets(ps, 5s);
  REQUIRE(latest);
  put_ids(prod, stream, 300, 500);
  REQUIRE_FALSE(r->assign(*latest));
  std::multiset<std::string> seen;
  read_into(*r, seen, 200);
  CHECK(seen.size() == 200);
  for (int i = 300; i < 500; ++i) CHECK(seen.count("id-" + std::to_string(i)) == 1);
  // Asked again, latest reads only what came since the last answer: the end.
  auto again = r->latest_offsets(ps, 5s);
  REQUIRE(again);
  CHECK(*again == r->position());
  CHECK(*r->latest_offsets(ps, 5s) == *again);  // nothing new: unchanged
  REQUIRE_FALSE(prod.delete_stream(stream));
}

TEST_CASE("a split closes the parent: read to its end, then the children from earliest") {
  auto stream = unique_stream("svk");
  adapters::kinesis_producer prod{endpoint()};
  REQUIRE_FALSE(prod.create_stream(stream, 1));
  put_ids(prod, stream, 0, 300);
  auto r = reader(stream);
  auto ps = *r->partitions(5s);
  REQUIRE(ps.size() == 1);
  REQUIRE_FALSE(r->assign(*r->earliest_offsets(ps, 5s)));
  std::multiset<std::string> seen;
  read_into(*r, seen, 300);

  REQUIRE_FALSE(prod.split(stream, ps[0]));
  put_ids(prod, stream, 300, 600);
  // The parent ends: its position becomes end() and the batch says so.
  adapters::record_batch batch;
  bool ended = false;
  for (int i = 0; i < 50 && !ended; ++i) {
    REQUIRE(r->poll(batch, 1000, 100ms));
    CHECK(batch.records.empty());
    ended = !batch.ended.empty();
  }
  REQUIRE(ended);
  CHECK(r->position().at(ps[0]).is_end());
  auto after = *r->partitions(5s);
  REQUIRE(after.size() == 3);
  // The children name the split shard as their parent.
  auto parents = r->partition_parents();
  REQUIRE(parents.size() == 2);
  for (const auto& [child, ps_of] : parents) {
    CHECK(child != ps[0]);
    CHECK(ps_of == std::vector<core::partition_id>{ps[0]});
  }
  CHECK(r->latest_offsets({ps[0]}, 5s)->at(ps[0]).is_end());
  core::offset_map children;
  for (const auto& p : after)
    if (p != ps[0]) children[p] = 0;
  REQUIRE_FALSE(r->assign(children));
  read_into(*r, seen, 600);
  CHECK(seen.size() == 600);
  for (int i = 0; i < 600; ++i) CHECK(seen.count("id-" + std::to_string(i)) == 1);
  REQUIRE_FALSE(prod.delete_stream(stream));
}

TEST_CASE("an unknown stream is unknown_topic") {
  auto r = reader("no-such-stream-" + std::to_string(::getpid()));
  auto ps = r->partitions(5s);
  REQUIRE_FALSE(ps);
  CHECK(adapters::is(ps.error(), adapters::errc::unknown_topic));
}
