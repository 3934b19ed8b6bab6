// The rollup index at scale and shape: many chunks of rows, dimensions
// discovered late, wide keys of every type, and its dictionaries.

#include <doctest/doctest.h>

#include <set>

#include "core/ingest/fast_equal.hpp"
#include "core/ingest/interner.hpp"
#include "tests/core/ingest/ingest_harness.hpp"

using namespace sv;
using namespace sv::core;
using namespace sv::core::ingest;
using test::harness;
TEST_CASE(
    "the index past many chunks of rows: rollup folds across them, a dimension "
    "discovered late widens them all, and a cleared index fills again") {
  harness h{R"({"dataSource":"d","timestampSpec":{"column":"ts"},
    "dimensionsSpec":{"dimensions":[]},
    "metricsSpec":[{"type":"count","name":"count"},{"type":"longSum","name":"n","fieldName":"v"}],
    "granularitySpec":{"queryGranularity":"NONE","rollup":true}})"};
  const int distinct = 3 * static_cast<int>(row_store<int64_t>::rows_per_chunk) + 17;
  auto event = [](int i, const char* extra) {
    return R"({"ts":"2026-01-01T00:00:00Z","page":"p)" + std::to_string(i) + R"(","v":)" +
           std::to_string(i) + extra + "}";
  };
  for (int round = 0; round < 2; ++round) {
    for (int pass = 0; pass < 2; ++pass)  // every row twice: the second folds in
      for (int i = 0; i < distinct; ++i) h.add(event(i, ""));
    CHECK(h.index.rows() == static_cast<size_t>(distinct));
    // A new dimension after thousands of rows: every earlier row is null in it.
    h.add(event(5, R"(,"late":"x")"));
    // A row from before the widening still folds (its hash was recomputed).
    h.add(event(7, ""));
    CHECK(h.index.rows() == static_cast<size_t>(distinct) + 1);
    auto seg = h.index.to_segment();
    REQUIRE(seg.rows() == static_cast<size_t>(distinct) + 1);
    int64_t count = 0, sum = 0, late = 0;
    for (size_t r = 0; r < seg.rows(); ++r) {
      auto j = seg.row_json(r);
      count += j.find("count")->as_int();
      sum += j.find("n")->as_int();
      if (!j.find("late")->is_null()) {
        ++late;
        CHECK(j.find("page")->as_string() == "p5");
        CHECK(j.find("count")->as_int() == 1);
      }
    }
    CHECK(count == 2 * distinct + 2);
    CHECK(sum == int64_t{distinct} * (distinct - 1) + 5 + 7);
    CHECK(late == 1);
    h.index.clear();  // the chunks stay; the next round writes over them
    CHECK(h.index.empty());
  }
}

TEST_CASE(
    "rows with more than 32 dimensions of every type: values and nulls come back, "
    "and equal rows fold") {
  std::string dims;
  auto type_of = [](int d) {
    return d % 3 == 0 || d == 34 ? "long" : d % 5 == 0 ? "double" : "string";
  };
  for (int d = 0; d < 35; ++d)
    dims += std::string{d ? "," : ""} + R"({"type":")" + type_of(d) + R"(","name":"d)" +
            std::to_string(d) + R"("})";
  harness h{R"({"dataSource":"d","timestampSpec":{"column":"ts"},
    "dimensionsSpec":{"dimensions":[)" +
            dims + R"(]},
    "metricsSpec":[{"type":"count","name":"count"}],
    "granularitySpec":{"queryGranularity":"HOUR","rollup":true}})"};
  // Row i sets every dimension but (i + d) % 4 == 0 ones; dimension 34 holds i.
  auto event = [&](int i) {
    std::string e = R"({"ts":"2026-01-01T00:10:00Z")";
    for (int d = 0; d < 35; ++d) {
      if ((i + d) % 4 == 0 && d != 34) continue;
      std::string v =
          std::string{type_of(d)} == "string" ? "\"s" + std::to_string(i * d) + "\""
          : std::string{type_of(d)} == "long" ? std::to_string(i * 1000003LL * d)
                                              : std::to_string(i + 0.25);
      e += ",\"d" + std::to_string(d) + "\":" + (d == 34 ? std::to_string(i) : v);
    }
    return e + "}";
  };
  for (int pass = 0; pass < 2; ++pass)
    for (int i = 0; i < 8; ++i) h.add(event(i));
  auto seg = h.index.to_segment();
  REQUIRE(seg.rows() == 8);
  std::set<int64_t> seen;
  for (size_t r = 0; r < seg.rows(); ++r) {
    auto j = seg.row_json(r);
    CHECK(j.find("count")->as_int() == 2);
    auto i = static_cast<int>(j.find("d34")->as_int());
    seen.insert(i);
    for (int d = 0; d < 34; ++d) {
      auto v = j.find("d" + std::to_string(d));
      CAPTURE(i);
      CAPTURE(d);
      if ((i + d) % 4 == 0) {
        CHECK(v->is_null());
      } else if (std::string{type_of(d)} == "string") {
        CHECK(v->as_string() == "s" + std::to_string(i * d));
      } else if (std::string{type_of(d)} == "long") {
        CHECK(v->as_int() == i * 1000003LL * d);
      } else {
        CHECK(v->as_number() == doctest::Approx(i + 0.25));
      }
    }
  }
  CHECK(seen == std::set<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE(
    "the dictionary gives dense ids in first-seen order and the same id again, "
    "through many table growths") {
  string_interner d;
  std::vector<std::string> values{""};
  for (int i = 0; i < 10000; ++i)  // lengths 1..40, shared prefixes, near-duplicates
    values.push_back(std::string(static_cast<size_t>(i % 40), 'x') + std::to_string(i));
  for (size_t i = 0; i < values.size(); ++i)
    REQUIRE(d.intern(values[i]) == static_cast<uint32_t>(i + 1));
  CHECK(d.size() == values.size());
  for (size_t i = values.size(); i-- > 0;) {
    CHECK(d.intern(values[i]) == static_cast<uint32_t>(i + 1));
    CHECK(d.value(static_cast<uint32_t>(i + 1)) == values[i]);
  }
  CHECK(d.size() == values.size());  // nothing added by the second pass
  CHECK(d.intern("x1y") == values.size() + 1);
}

TEST_CASE(
    "short-string equality agrees with == at every length and every differing byte") {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'a');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    CHECK(fast_equal(a, std::string{a}));
    CHECK_FALSE(fast_equal(a, a + "z"));
    for (size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = static_cast<char>(b[i] ^ 0x20);
      CHECK_FALSE(fast_equal(a, b));
      CHECK_FALSE(fast_equal(b, a));
    }
  }
}

TEST_CASE(
    "dictionary hashes of values up to 8 bytes never collide within a length, nor short "
    "ones across lengths") {
  // Every string of length 1..4 over 12 letters (22,620 values), and 8-byte
  // and 5..7-byte values that differ in a single byte anywhere.
  const std::string letters = "abcdefgh\x01\x7f\xfe ";
  std::set<uint64_t> seen;
  size_t count = 0;
  std::string s;
  auto all = [&](auto& self, size_t len) -> void {
    if (s.size() == len) {
      seen.insert(string_interner::hash(s));
      ++count;
      return;
    }
    for (char c : letters) {
      s.push_back(c);
      self(self, len);
      s.pop_back();
    }
  };
  for (size_t len = 1; len <= 4; ++len) all(all, len);
  CHECK(seen.size() == count);
  for (size_t len = 5; len <= 8; ++len) {
    std::set<uint64_t> one_length;
    std::string base(len, 'q');
    one_length.insert(string_interner::hash(base));
    for (size_t i = 0; i < len; ++i)
      for (int bit = 0; bit < 8; ++bit) {
        std::string v = base;
        v[i] = static_cast<char>(v[i] ^ (1 << bit));
        one_length.insert(string_interner::hash(v));
      }
    CHECK(one_length.size() == 1 + 8 * len);
  }
}

TEST_CASE(
    "rows staged for a later lookup end as rows committed at once: same rows, same "
    "states, first and last by arrival, through growth and late dimensions") {
  for (bool rollup : {true, false}) {
    CAPTURE(rollup);
    std::string ds = R"({"dataSource":"d","timestampSpec":{"column":"ts"},
      "dimensionsSpec":{"dimensions":[]},
      "metricsSpec":[{"type":"count","name":"count"},{"type":"longSum","name":"n","fieldName":"v"},
        {"type":"longFirst","name":"first","fieldName":"v"},{"type":"longLast","name":"last","fieldName":"v"},
        {"type":"doubleMax","name":"max","fieldName":"x"}],
      "granularitySpec":{"queryGranularity":"MINUTE","rollup":)" +
                     std::string{rollup ? "true" : "false"} + "}}";
    harness now{ds}, later{ds};
    uint64_t rng = 12345;
    auto next = [&] {
      rng = rng * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<int>(rng >> 33);
    };
    auto compare = [&] {
      later.index.flush();
      CHECK(later.index.staged() == 0);
      REQUIRE(later.index.rows() == now.index.rows());
      auto a = now.index.to_segment(), b = later.index.to_segment();
      REQUIRE(a.rows() == b.rows());
      for (size_t r = 0; r < a.rows(); ++r) REQUIRE(a.row_json(r) == b.row_json(r));
    };
    for (int i = 0; i < 9000; ++i) {
      // Few minutes and pages: many rows fold; equal times make first/last
      // depend on arrival order alone.
      std::string e = R"({"ts":"2026-01-01T00:0)" + std::to_string(next() % 3) +
                      R"(:00Z","page":"p)" + std::to_string(next() % 2500) + R"(","v":)" +
                      std::to_string(i) + R"(,"x":)" + std::to_string(next() % 1000) +
                      ".5";
      if (i >= 6000) e += R"(,"late":"l)" + std::to_string(next() % 3) + "\"";
      e += "}";
      auto a = now.add(e);
      later.rows.fill(e, later.s, later.row);
      auto b = later.ing.add(later.row, later.index, true);
      REQUIRE(a.outcome == b.outcome);
      if (next() % 500 == 0) compare();  // a reader in between: flushed first
    }
    compare();
    if (rollup) CHECK(now.index.rows() < 9000);
  }
}

TEST_CASE(
    "booleans are the strings true and false, before and after the index is cleared") {
  harness h{R"({"dataSource":"d","timestampSpec":{"column":"ts"},
    "dimensionsSpec":{"dimensions":["flag"]},
    "metricsSpec":[{"type":"count","name":"count"}],
    "granularitySpec":{"queryGranularity":"NONE","rollup":true}})"};
  auto flags = [&] {
    std::map<std::string, int64_t> out;
    auto seg = h.index.to_segment();
    for (size_t r = 0; r < seg.rows(); ++r) {
      auto j = seg.row_json(r);
      out[j.find("flag")->as_string()] += j.find("count")->as_int();
    }
    return out;
  };
  auto add = [&](const char* flag) {
    auto r = h.add(std::string{R"({"ts":"2026-01-01T00:00:00Z","flag":)"} + flag + "}");
    REQUIRE(r.outcome == row_outcome::processed);
  };
  for (auto f : {"true", R"("true")", "false", R"("false")", "true"}) add(f);
  CHECK(h.index.rows() == 2);
  CHECK(flags() == std::map<std::string, int64_t>{{"false", 2}, {"true", 3}});
  h.index.clear();  // the dictionary starts again: "false" first this time
  for (auto f : {R"("false")", "true", "false"}) add(f);
  CHECK(flags() == std::map<std::string, int64_t>{{"false", 2}, {"true", 1}});
}
