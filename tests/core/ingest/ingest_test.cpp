#include <doctest/doctest.h>

#include <limits>

#include "core/errc.hpp"
#include "core/ingest/ingestor.hpp"
#include "core/segment/merge.hpp"
#include "core/spec/supervisor_spec.hpp"
#include "tests/core/ingest/ingest_harness.hpp"

using namespace sv;
using namespace sv::core;
using namespace sv::core::ingest;
using test::harness;

namespace {

const char* wiki = R"({"dataSource":"wiki",
  "timestampSpec":{"column":"ts","format":"iso"},
  "dimensionsSpec":{"dimensions":["page","user",{"type":"long","name":"ns"},{"type":"double","name":"score"}]},
  "metricsSpec":[{"type":"count","name":"count"},{"type":"longSum","name":"added","fieldName":"added"},
    {"type":"doubleMax","name":"maxScore","fieldName":"score"},{"type":"longMin","name":"minAdded","fieldName":"added"},
    {"type":"longFirst","name":"firstAdded","fieldName":"added"},{"type":"longLast","name":"lastAdded","fieldName":"added"},
    {"type":"floatSum","name":"fs","fieldName":"f"}],
  "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"MINUTE","rollup":true}})";

}  // namespace

TEST_CASE(
    "rollup folds rows with equal truncated time and dimensions, every aggregator") {
  harness h{wiki};
  CHECK(
      h.add(
           R"({"ts":"2026-01-01T00:00:10Z","page":"A","user":"u","ns":1,"score":1.5,"added":10,"f":0.5})")
          .outcome == row_outcome::processed);
  CHECK(
      h.add(
           R"({"ts":"2026-01-01T00:00:50Z","page":"A","user":"u","ns":1,"score":1.5,"added":5,"f":0.25})")
          .outcome == row_outcome::processed);
  CHECK(
      h.add(
           R"({"ts":"2026-01-01T00:00:05Z","page":"A","user":"u","ns":1,"score":1.5,"added":7})")
          .outcome == row_outcome::processed);
  CHECK(
      h.add(
           R"({"ts":"2026-01-01T00:01:00Z","page":"A","user":"u","ns":1,"score":1.5,"added":1})")
          .outcome == row_outcome::processed);
  CHECK(h.add(R"({"ts":"2026-01-01T00:00:30Z","page":"B","added":3})").outcome ==
        row_outcome::processed);
  CHECK(h.index.rows() == 3);
  auto seg = h.index.to_segment();
  REQUIRE(seg.rows() == 3);
  auto r0 = seg.row_json(0);
  CHECK(r0.find("__time")->as_int() ==
        parse_utc_time("2026-01-01T00:00:00Z")->time_since_epoch().count());
  CHECK(r0.find("page")->as_string() == "A");
  CHECK(r0.find("count")->as_int() == 3);
  CHECK(r0.find("added")->as_int() == 22);
  CHECK(r0.find("minAdded")->as_int() == 5);
  CHECK(r0.find("firstAdded")->as_int() == 7);  // earliest event (00:05)
  CHECK(r0.find("lastAdded")->as_int() == 5);   // latest event (00:50)
  CHECK(r0.find("maxScore")->as_real() == 1.5);
  CHECK(r0.find("fs")->as_real() == doctest::Approx(0.75));
  auto r1 = seg.row_json(1);  // page B sorts after A at the same minute
  CHECK(r1.find("page")->as_string() == "B");
  CHECK(r1.find("user")->is_null());
  CHECK(r1.find("ns")->is_null());
  CHECK(r1.find("maxScore")->is_null());  // no input: null, not -inf
  CHECK(seg.row_json(2).find("count")->as_int() == 1);
}

TEST_CASE("rollup off keeps every row") {
  std::string ds = wiki;
  ds.replace(ds.find("\"rollup\":true"), 13, "\"rollup\":false");
  harness h{ds};
  for (int i = 0; i < 3; ++i)
    h.add(R"({"ts":"2026-01-01T00:00:10Z","page":"A","added":1})");
  CHECK(h.index.rows() == 3);
}

TEST_CASE(
    "bad values: processedWithError keeps the row, a bad timestamp is unparseable") {
  harness h{wiki};
  auto r = h.add(R"({"ts":"2026-01-01T00:00:10Z","page":"A","ns":"abc","added":"x"})");
  CHECK(r.outcome == row_outcome::processed_with_error);
  CHECK(r.error.find("[abc]") != std::string::npos);
  CHECK(r.error.find("[ns]") != std::string::npos);
  CHECK(r.error.find("[added]") != std::string::npos);
  CHECK(h.index.rows() == 1);
  auto bad = h.add(R"({"ts":"not a time","page":"A"})");
  CHECK(bad.outcome == row_outcome::unparseable);
  CHECK(bad.error.find("Timestamp could not be parsed") != std::string::npos);
  CHECK(h.add(R"({"page":"A"})").outcome == row_outcome::unparseable);
  CHECK(h.add(R"({"ts":"2026-01-01T00:00:10Z","added":"12"})").outcome ==
        row_outcome::processed);
  CHECK(h.index.rows() == 2);
}

TEST_CASE(
    "a list or a boolean where a number belongs is quoted as itself, not as what the "
    "slot held for an earlier row") {
  harness h{wiki};
  auto first =
      h.add(R"({"ts":"2026-01-01T00:00:10Z","page":"A","ns":"abc","added":"old"})");
  CHECK(first.error.find("[abc]") != std::string::npos);
  // The same slots again, now holding a list and a boolean.
  auto r =
      h.add(R"({"ts":"2026-01-01T00:00:10Z","page":"A","ns":["x","y"],"added":true})");
  CHECK(r.outcome == row_outcome::processed_with_error);
  CHECK(r.error.find("could not convert value [[x, y]] of field [ns]") !=
        std::string::npos);
  CHECK(r.error.find("could not convert value [true] of field [added]") !=
        std::string::npos);
  CHECK(r.error.find("abc") == std::string::npos);
  CHECK(r.error.find("old") == std::string::npos);
}

TEST_CASE("rejection windows throw rows away") {
  time_window w{*parse_utc_time("2026-01-01T00:00:00Z"),
                *parse_utc_time("2026-01-01T01:00:00Z")};
  harness h{wiki, w};
  CHECK(h.add(R"({"ts":"2025-12-31T23:59:59Z","page":"A"})").outcome ==
        row_outcome::thrown_away);
  CHECK(h.add(R"({"ts":"2026-01-01T01:00:01Z","page":"A"})").outcome ==
        row_outcome::thrown_away);
  CHECK(h.add(R"({"ts":"2026-01-01T00:30:00Z","page":"A"})").outcome ==
        row_outcome::processed);
  CHECK(h.index.rows() == 1);
}

TEST_CASE("filters: selector, in, bound, not, and, or; multi-value matches any value") {
  auto with_filter = [](const std::string& f) {
    std::string ds = wiki;
    ds.insert(ds.rfind('}'), ",\"transformSpec\":{\"filter\":" + f + "}");
    return ds;
  };
  auto kept = [&](const std::string& f, const std::string& row) {
    harness h{with_filter(f)};
    return h.add(row).outcome != row_outcome::thrown_away;
  };
  const std::string row =
      R"({"ts":"2026-01-01T00:00:00Z","page":"Main","user":"bob","added":42,"tags":["a","b"]})";
  CHECK(kept(R"({"type":"selector","dimension":"page","value":"Main"})", row));
  CHECK_FALSE(kept(R"({"type":"selector","dimension":"page","value":"Other"})", row));
  CHECK(kept(R"({"type":"selector","dimension":"missing","value":null})", row));
  CHECK(kept(R"({"type":"in","dimension":"user","values":["alice","bob"]})", row));
  CHECK_FALSE(kept(R"({"type":"in","dimension":"user","values":["alice"]})", row));
  CHECK(kept(
      R"({"type":"bound","dimension":"added","lower":"40","upper":"50","ordering":"numeric"})",
      row));
  CHECK_FALSE(kept(
      R"({"type":"bound","dimension":"added","lower":"42","lowerStrict":true,"ordering":"numeric"})",
      row));
  CHECK_FALSE(kept(R"({"type":"bound","dimension":"added","upper":"100"})",
                   row));  // lexicographic: "42" > "100"
  CHECK(kept(
      R"({"type":"bound","dimension":"added","upper":"100","ordering":"alphanumeric"})",
      row));
  CHECK(
      kept(R"({"type":"not","field":{"type":"selector","dimension":"page","value":"x"}})",
           row));
  CHECK(kept(
      R"({"type":"and","fields":[{"type":"selector","dimension":"page","value":"Main"},{"type":"selector","dimension":"user","value":"bob"}]})",
      row));
  CHECK_FALSE(kept(
      R"({"type":"and","fields":[{"type":"selector","dimension":"page","value":"Main"},{"type":"selector","dimension":"user","value":"x"}]})",
      row));
  CHECK(kept(
      R"({"type":"or","fields":[{"type":"selector","dimension":"page","value":"no"},{"type":"selector","dimension":"user","value":"bob"}]})",
      row));
  CHECK(kept(R"({"type":"selector","dimension":"tags","value":"b"})", row));
  CHECK_FALSE(kept(R"({"type":"selector","dimension":"tags","value":"c"})", row));
}

TEST_CASE(
    "schemaless: every other field becomes a string dimension, in first-seen order") {
  harness h{R"({"dataSource":"d","timestampSpec":{"column":"ts"},
    "dimensionsSpec":{"dimensions":[],"dimensionExclusions":["secret"]},
    "metricsSpec":[{"type":"longSum","name":"added_sum","fieldName":"added"}],
    "transformSpec":{"filter":{"type":"not","field":{"type":"selector","dimension":"robot","value":"true"}}}})"};
  CHECK(h.s.schemaless());
  h.add(
      R"({"ts":"2026-01-01T00:00:00Z","page":"A","added":1,"secret":"x","nested":{"a":1}})");
  CHECK(h.add(R"({"ts":"2026-01-01T00:00:00Z","page":"A","added":2,"robot":true})")
            .outcome == row_outcome::thrown_away);
  h.add(
      R"({"ts":"2026-01-01T00:00:00Z","page":"B","country":"DE","n":5,"tags":["x","y"],"robot":false})");
  std::vector<std::string> names;
  for (const auto& d : h.s.dimensions) names.push_back(d.name);
  CHECK(names == std::vector<std::string>{"page", "robot", "country", "n", "tags"});
  auto seg = h.index.to_segment();
  REQUIRE(seg.rows() == 2);
  auto a = seg.row_json(0), b = seg.row_json(1);
  CHECK(a.find("page")->as_string() == "A");
  CHECK(a.find("country")->is_null());  // discovered after row A: null
  CHECK(a.find("added_sum")->as_int() == 1);
  CHECK(b.find("n")->as_string() == "5");
  CHECK(b.find("robot")->as_string() == "false");
  CHECK(b.find("tags")->dump() == R"(["x","y"])");
  CHECK(seg.dimension("secret") == nullptr);
  CHECK(seg.dimension("added") == nullptr);  // a metric input
}

TEST_CASE(
    "merge combines equal rows across parts; split cuts by granularity and row count") {
  harness h{wiki};
  h.add(R"({"ts":"2026-01-01T00:00:10Z","page":"A","added":1})");
  h.add(R"({"ts":"2026-01-01T01:30:00Z","page":"C","added":1})");
  auto part1 = h.index.to_segment();
  h.index.clear();
  h.add(R"({"ts":"2026-01-01T00:00:20Z","page":"A","added":2})");
  h.add(R"({"ts":"2026-01-01T00:00:20Z","page":"B","added":4})");
  h.add(R"({"ts":"2026-01-01T00:00:20Z","page":"Z","tags":"t","added":4})");
  auto part2 = h.index.to_segment();
  auto merged = merge({&part1, &part2}, true);
  REQUIRE(merged.rows() == 4);
  CHECK(merged.row_json(0).find("page")->as_string() == "A");
  CHECK(merged.row_json(0).find("added")->as_int() == 3);
  CHECK(merged.row_json(0).find("count")->as_int() == 2);
  CHECK(merged.row_json(0).find("firstAdded")->as_int() == 1);
  CHECK(merged.row_json(0).find("lastAdded")->as_int() == 2);
  CHECK(merged.row_json(3).find("page")->as_string() == "C");
  auto hourly = split(merged, *parse_granularity_name("HOUR"), 2);
  REQUIRE(hourly.size() == 3);  // 00:00 hour: 3 rows -> 2 + 1; 01:00 hour: 1
  CHECK(hourly[0].rows() == 2);
  CHECK(hourly[1].rows() == 1);
  CHECK(format_utc_time(hourly[1].start) == "2026-01-01T00:00:00.000Z");
  CHECK(format_utc_time(hourly[2].start) == "2026-01-01T01:00:00.000Z");
  CHECK(format_utc_time(hourly[2].end) == "2026-01-01T02:00:00.000Z");
  // Compact dictionaries: each segment only holds its own values.
  CHECK(hourly[2].dimension("page")->dictionary == std::vector<std::string>{"C"});
  auto no_rollup = merge({&part1, &part2}, false);
  CHECK(no_rollup.rows() == 5);
}

TEST_CASE(
    "row stats: totals and moving averages in Druid's shape; saved exceptions capped") {
  row_stats st{2};
  auto t0 = *parse_utc_time("2026-01-01T00:00:00Z");
  for (int i = 0; i < 100; ++i)
    st.record(row_outcome::processed, 300, t0 + millis{i * 10});
  st.record(row_outcome::unparseable, 10, t0);
  st.record(row_outcome::thrown_away, 10, t0);
  for (int i = 0; i < 3; ++i)
    st.save_exception({"{bad", "unparseable", "oops " + std::to_string(i), t0});
  auto j = st.to_json(t0 + millis{5000});
  auto totals = j.find("totals")->find("buildSegments");
  CHECK(totals->find("processed")->as_int() == 100);
  CHECK(totals->find("processedBytes")->as_int() == 30020);
  CHECK(totals->find("unparseable")->as_int() == 1);
  CHECK(totals->find("thrownAway")->as_int() == 1);
  auto one = j.find("movingAverages")->find("buildSegments")->find("1m");
  CHECK(one->find("processed")->as_number() ==
        doctest::Approx(20.0));  // 100 rows in a 5 s tick
  CHECK(st.exceptions().size() == 2);
  CHECK(st.exceptions_json().as_array()[1].find("details")->as_array()[0].as_string() ==
        "oops 2");
}

TEST_CASE("every aggregator folds inputs and combines states") {
  struct expect {
    const char* type;
    double folded;    // after adding 5, 2, 9 at times 30, 10, 20 (and one absent input)
    double combined;  // after combining with a state that saw 7 at time 5
  };
  const std::vector<expect> table = {
      {"count", 4, 5},       {"longSum", 16, 23},  {"doubleSum", 16, 23},
      {"floatSum", 16, 23},  {"longMin", 2, 2},    {"longMax", 9, 9},
      {"doubleMin", 2, 2},   {"doubleMax", 9, 9},  {"floatMin", 2, 2},
      {"floatMax", 9, 9},    {"longFirst", 2, 7},  {"longLast", 5, 5},
      {"doubleFirst", 2, 7}, {"doubleLast", 5, 5}, {"floatFirst", 2, 7},
      {"floatLast", 5, 5},
  };
  auto value = [](const aggregator& a, const agg_state& s) {
    return a.type() == num_type::long_ ? static_cast<double>(s.l) : s.d;
  };
  auto num = [](double v, bool is_double) {
    num_value n;
    n.present = true;
    n.is_double = is_double;
    n.l = static_cast<int64_t>(v);
    n.d = v;
    return n;
  };
  for (const auto& e : table) {
    CAPTURE(e.type);
    auto a = aggregator::make(e.type);
    REQUIRE(a);
    bool dbl = a->type() != num_type::long_;
    agg_state s;
    a->init(s);
    CHECK((a->op() == agg_op::count || a->op() == agg_op::sum) != a->empty(s));
    a->add(s, num(5, dbl), 30);
    a->add(s, num(2, dbl), 10);
    a->add(s, num(9, dbl), 20);
    a->add(s, num_value{}, 40);  // absent: ignored (count still counts the row)
    CHECK(value(*a, s) == doctest::Approx(e.folded));
    agg_state other;
    a->init(other);
    a->add(other, num(7, dbl), 5);
    a->combine(s, other);
    if (a->op() == agg_op::count) {
      CHECK(s.l == 5);
    } else {
      CHECK(value(*a, s) == doctest::Approx(e.combined));
    }
    CHECK_FALSE(a->empty(s));
    CHECK(a->type_name() == e.type);
  }
  CHECK_FALSE(aggregator::make("longAvg"));
  CHECK_FALSE(aggregator::make("hyperUnique"));
}

TEST_CASE(
    "long aggregators narrow and add the way Java does (found by fuzz/record_fuzz)") {
  auto dbl = [](double v) {
    num_value n;
    n.present = true;
    n.is_double = true;
    n.d = v;
    return n;
  };
  CHECK(dbl(5.555e105).as_long() == INT64_MAX);
  CHECK(dbl(-1e300).as_long() == INT64_MIN);
  CHECK(dbl(std::numeric_limits<double>::quiet_NaN()).as_long() == 0);
  CHECK(dbl(-7.9).as_long() == -7);
  auto sum = aggregator::make("longSum");
  REQUIRE(sum);
  agg_state s;
  sum->init(s);
  sum->add(s, dbl(1e300), 1);
  sum->add(s, dbl(1e300), 2);  // Long.MAX_VALUE + Long.MAX_VALUE wraps to -2
  CHECK(s.l == -2);
  agg_state other;
  sum->init(other);
  sum->add(other, dbl(3), 1);
  sum->combine(s, other);
  CHECK(s.l == 1);
}

TEST_CASE("float and double dimensions keep their types through the index") {
  harness h{R"({"dataSource":"d","timestampSpec":{"column":"ts"},
    "dimensionsSpec":{"dimensions":[{"type":"float","name":"f"},{"type":"double","name":"d"},{"type":"long","name":"l"}]},
    "granularitySpec":{"queryGranularity":"NONE"}})"};
  h.add(R"({"ts":"2026-01-01T00:00:00Z","f":1.1,"d":2.25,"l":"7"})");
  h.add(R"({"ts":"2026-01-01T00:00:00Z","f":"bad","d":-0.5,"l":3.9})");
  auto seg = h.index.to_segment();
  REQUIRE(seg.rows() == 2);
  CHECK(seg.dimension("f")->type == column_type::float_);
  CHECK(seg.dimension("d")->type == column_type::double_);
  // Sorted by dimension value: f null (the bad row) first.
  CHECK(seg.row_json(0).find("f")->is_null());
  CHECK(seg.row_json(0).find("l")->as_int() == 3);
  CHECK(seg.row_json(1).find("f")->as_real() == doctest::Approx(1.1f));
  CHECK(seg.row_json(1).find("d")->as_real() == 2.25);
  CHECK(seg.row_json(1).find("l")->as_int() == 7);
}

TEST_CASE("row stats: a batch's counts taken in bulk equal its rows counted one by one") {
  auto t0 = *parse_utc_time("2026-01-01T00:00:00Z");
  row_stats one{0}, bulk{0};
  row_counts batch;
  const row_outcome outcomes[] = {row_outcome::processed, row_outcome::thrown_away,
                                  row_outcome::processed_with_error,
                                  row_outcome::unparseable};
  for (int i = 0; i < 40; ++i) {
    auto o = outcomes[i % 4];
    size_t bytes = 100 + static_cast<size_t>(i);
    auto now = t0 + millis{(i / 10) * 3000};  // a batch of 10 rows, one time
    one.record(o, bytes, now);
    batch.add(o, bytes);
    if (i % 10 == 9) {
      bulk.record(batch, now);
      batch = {};
    }
  }
  CHECK(bulk.totals().processed == 10);
  CHECK(bulk.totals().thrown_away == 10);
  CHECK(bulk.totals().processed_with_error == 10);
  CHECK(bulk.totals().unparseable == 10);
  CHECK(bulk.totals().processed_bytes == one.totals().processed_bytes);
  CHECK(bulk.parse_errors() == 20);
  auto end = t0 + millis{10000};
  CHECK(bulk.to_json(end).dump() == one.to_json(end).dump());
}
