// Merging sorted parts: rows compared as one packed word give the same segment
// as rows compared column by column.

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/segment/merge.hpp"
#include "tests/core/ingest/ingest_harness.hpp"

using namespace sv;
using namespace sv::core;

namespace {

const char* strings_only = R"({"dataSource":"d",
  "timestampSpec":{"column":"ts","format":"millis"},
  "dimensionsSpec":{"dimensions":["a","b","c"]},
  "metricsSpec":[{"type":"count","name":"count"},{"type":"longSum","name":"n","fieldName":"n"},
    {"type":"longFirst","name":"first","fieldName":"n"}],
  "granularitySpec":{"segmentGranularity":"DAY","queryGranularity":"MINUTE","rollup":true}})";

// Every row of a segment as JSON text, in order.
std::vector<std::string> rows_of(const segment_data& s) {
  std::vector<std::string> out;
  for (size_t r = 0; r < s.rows(); ++r) out.push_back(s.row_json(r).dump());
  return out;
}

// Runs the worker on this thread and two others at once.
void three_threads(const std::function<void()>& worker) {
  std::thread a{worker}, b{worker};
  worker();
  a.join();
  b.join();
}

}  // namespace

TEST_CASE("for_each_spread: every item once, on every worker; a failure stops the rest "
          "and is rethrown here") {
  std::vector<std::atomic<int>> seen(500);
  std::mutex mu;
  std::set<std::thread::id> threads;
  for_each_spread(seen.size(), three_threads, [&](size_t i) {
    ++seen[i];
    std::lock_guard lock{mu};
    threads.insert(std::this_thread::get_id());
  });
  for (const auto& n : seen) CHECK(n == 1);
  CHECK(threads.size() >= 1);
  std::atomic<int> ran{0};
  for_each_spread(7, {}, [&](size_t) { ++ran; });  // no spread: here alone
  CHECK(ran == 7);
  auto fail_at_10 = [&](size_t i) {
    ++ran;
    if (i == 10) throw std::runtime_error{"item 10"};
  };
  ran = 0;  // one worker: it stops right after the failure
  CHECK_THROWS_WITH(for_each_spread(1000, {}, fail_at_10), "item 10");
  CHECK(ran == 11);
  ran = 0;  // several: rethrown here once every worker returned
  CHECK_THROWS_WITH(for_each_spread(1000, three_threads, fail_at_10), "item 10");
  CHECK(ran >= 11);
}

TEST_CASE(
    "merged parts come out the same whether rows compare packed or column by column") {
  uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int round = 0; round < 20; ++round) {
    std::vector<test::harness> lanes;
    std::vector<segment_data> parts;
    int nparts = 1 + static_cast<int>(next() % 5);
    for (int p = 0; p < nparts; ++p) {
      test::harness h{strings_only};
      int rows = static_cast<int>(next() % 300);
      for (int i = 0; i < rows; ++i) {
        // Few values, so rows repeat across parts and roll up; some missing.
        std::string e =
            R"({"ts":)" + std::to_string(1767225600000 + int64_t(next() % 5) * 60000);
        for (const char* d : {"a", "b", "c"})
          if (next() % 5 != 0)
            e += std::string{R"(,")"} + d + R"(":"v)" + std::to_string(next() % 7) + '"';
        e += R"(,"n":)" + std::to_string(next() % 100) + "}";
        h.add(e);
      }
      parts.push_back(h.index.to_segment());
    }
    std::vector<const segment_data*> ptrs;
    for (const auto& p : parts) ptrs.push_back(&p);
    for (bool rollup : {true, false}) {
      CAPTURE(round);
      CAPTURE(rollup);
      auto packed = merge(ptrs, rollup, true);
      auto by_column = merge(ptrs, rollup, false);
      REQUIRE(packed.rows() == by_column.rows());
      CHECK(rows_of(packed) == rows_of(by_column));
      // Columns gathered by three workers at once: the same segment.
      auto spread = merge(ptrs, rollup, true, three_threads);
      CHECK(rows_of(spread) == rows_of(packed));
      for (size_t d = 0; d < packed.dimensions.size(); ++d)
        CHECK(spread.dimensions[d].dictionary == packed.dimensions[d].dictionary);
      size_t total = 0;
      for (const auto& p : parts) total += p.rows();
      if (!rollup) CHECK(packed.rows() == total);
    }
  }
}

TEST_CASE("a segment split while moved gives the pieces a copy gives") {
  test::harness h{strings_only};
  for (int i = 0; i < 200; ++i)
    h.add(R"({"ts":)" + std::to_string(1767225600000 + int64_t(i % 7) * 60000) +
          R"(,"a":"v)" + std::to_string(i % 11) + R"(","b":"w)" + std::to_string(i % 3) +
          R"(","n":1})");
  auto seg = h.index.to_segment();
  auto day = *parse_granularity_name("DAY");
  auto hour = *parse_granularity_name("HOUR");
  auto same = [](const std::vector<segment_data>& x, const std::vector<segment_data>& y) {
    REQUIRE(x.size() == y.size());
    for (size_t i = 0; i < x.size(); ++i) {
      CHECK(x[i].start == y[i].start);
      CHECK(x[i].end == y[i].end);
      CHECK(rows_of(x[i]) == rows_of(y[i]));
      for (size_t d = 0; d < x[i].dimensions.size(); ++d)
        CHECK(x[i].dimensions[d].dictionary == y[i].dimensions[d].dictionary);
    }
  };
  // One piece: moved whole.
  auto copy = seg;
  same(split(std::move(copy), day, 1000), split(seg, day, 1000));
  // More than one piece (rows, or buckets): cut as a copy is.
  copy = seg;
  same(split(std::move(copy), day, 50), split(seg, day, 50));
  copy = seg;
  same(split(std::move(copy), hour, 1000), split(seg, hour, 1000));
  // A dictionary value no row uses is dropped either way.
  copy = seg;
  copy.dimensions[0].dictionary.push_back("zzz");
  auto unused = copy;
  auto pieces = split(std::move(copy), day, 1000);
  same(pieces, split(unused, day, 1000));
  REQUIRE(pieces.size() == 1);
  CHECK(pieces[0].dimensions[0].dictionary == seg.dimensions[0].dictionary);
}
