#include "core/spec/supervisor_spec.hpp"

#include <doctest/doctest.h>

#include "tests/test_data.hpp"

using namespace sv::core;

namespace {

supervisor_spec parse_ok(const std::string& text) {
  auto r = parse_supervisor_spec_text(text);
  INFO(describe(r.problems));
  REQUIRE(r.ok());
  return *r.spec;
}

}  // namespace

TEST_CASE("the seed's Kinesis autoscaler example is accepted with its values") {
  auto s = parse_ok(sv::test::read_data("specs/kinesis_autoscaler.json"));
  CHECK(s.type == "kinesis");
  CHECK(s.id == "metrics-kinesis");
  CHECK(s.layout_prefix.empty());
  CHECK(s.io.stream == "metrics");
  REQUIRE(s.io.autoscaler);
  CHECK(s.io.autoscaling());
  CHECK(*s.io.autoscaler->task_count_max == 6);
  CHECK(*s.io.autoscaler->task_count_min == 2);
  CHECK(s.io.autoscaler->scale_out_threshold == 600000);
  CHECK(s.tuning.type == "kinesis");
  CHECK(s.tuning.handoff_condition_timeout == 0);  // Kinesis default
  CHECK(s.schema.granularity.segment_granularity.name == "HOUR");
  CHECK(s.schema.metrics.size() == 4);
}

TEST_CASE("the Druid docs Kafka example is accepted and gets Druid's defaults") {
  auto s = parse_ok(sv::test::read_data("specs/kafka_metrics.json"));
  CHECK(s.type == "kafka");
  CHECK(s.layout_prefix == "spec.");
  CHECK(s.stream() == "metrics");
  CHECK(s.io.task_count == 1);
  CHECK(format_period(s.io.start_delay) == "PT5S");
  CHECK(format_period(s.io.period) == "PT30S");
  CHECK(format_period(s.io.completion_timeout) == "PT30M");
  CHECK(s.io.poll_timeout == 100);
  CHECK_FALSE(s.io.use_earliest_offset);
  CHECK(s.tuning.max_rows_in_memory == 150000);
  CHECK(s.tuning.max_total_rows == 20000000);
  CHECK(format_period(s.tuning.intermediate_handoff_period) == "P2147483647D");
  CHECK(s.tuning.handoff_condition_timeout == 900000);
  CHECK(s.tuning.chat_retries == 8);
  CHECK(s.tuning.max_parse_exceptions == 2147483647);
  CHECK(s.schema.granularity.rollup);
  CHECK(s.schema.granularity.query_granularity.name == "NONE");
  CHECK(s.task_lock_type() == "EXCLUSIVE");
  CHECK_FALSE(s.uses_concurrent_locks());
}

TEST_CASE("printing gives Druid's shape with defaults, and parse-print-parse is stable") {
  for (const char* file : {"specs/kafka_metrics.json", "specs/kinesis_autoscaler.json",
                           "specs/kafka_wikipedia.json"}) {
    CAPTURE(file);
    auto s = parse_ok(sv::test::read_data(file));
    auto printed = to_json(s);
    CHECK(printed.find("spec")->find("ioConfig") != nullptr);
    CHECK(*printed.find("spec")->find("ioConfig") == *printed.find("ioConfig"));
    CHECK(printed.find("suspended")->is_bool());
    auto again = parse_supervisor_spec(printed);
    REQUIRE(again.ok());
    auto reprinted = to_json(*again.spec);
    CHECK(reprinted.dump() == printed.dump());
    // Printing from the text form is stable too.
    auto third = parse_supervisor_spec_text(reprinted.dump());
    REQUIRE(third.ok());
    CHECK(to_json(*third.spec).dump() == printed.dump());
  }
}

TEST_CASE("unknown fields are kept at every level and printed back") {
  auto s = parse_ok(sv::test::read_data("specs/kafka_wikipedia.json"));
  auto printed = to_json(s);
  CHECK(printed.find("someFutureTopField")->as_int() == 42);
  CHECK(printed.find("spec")->find("someFutureSpecField")->as_string() == "kept");
  CHECK(printed.find("ioConfig")->find("someFutureIoField")->dump() ==
        R"({"nested":[1,2,3]})");
  CHECK(printed.find("ioConfig")->find("inputFormat")->find("flattenSpec") != nullptr);
  CHECK(printed.find("context")->find("priority")->as_int() == 75);
}

TEST_CASE("posted values survive; bare dimension names become objects") {
  auto s = parse_ok(sv::test::read_data("specs/kafka_wikipedia.json"));
  CHECK(s.id == "wikipedia-edits");
  CHECK(s.data_source() == "wikipedia");
  CHECK(s.io.task_count == 2);
  CHECK(format_period(s.io.task_duration) == "PT10M");
  CHECK(s.io.use_earliest_offset);
  CHECK(format_period(*s.io.late_message_rejection_period) == "P1D");
  CHECK(s.io.idle->enabled);
  CHECK(s.tuning.max_saved_parse_exceptions == 10);
  REQUIRE(s.schema.dimensions.dimensions.size() == 5);
  CHECK(s.schema.dimensions.dimensions[3].type == "long");
  auto printed = to_json(s);
  auto dims = printed.find("dataSchema")->find("dimensionsSpec")->find("dimensions");
  CHECK(dims->as_array()[0].dump() == R"({"type":"string","name":"page"})");
  CHECK(s.uses_concurrent_locks());
  CHECK(s.task_lock_type() == "APPEND");
}

TEST_CASE("when both layouts are present, \"spec\" wins as in Druid") {
  auto text = R"({"type":"kafka","spec":{"dataSchema":{"dataSource":"inner"},
    "ioConfig":{"topic":"t","inputFormat":{"type":"json"},"consumerProperties":{"bootstrap.servers":"b:9092"}}},
    "dataSchema":{"dataSource":"outer"}})";
  auto s = parse_ok(text);
  CHECK(s.data_source() == "inner");
  CHECK(to_json(s).find("dataSchema")->find("dataSource")->as_string() == "inner");
}

TEST_CASE("numeric strings and string booleans are coerced like Jackson does") {
  auto text = R"({"type":"kafka","dataSchema":{"dataSource":"d"},
    "ioConfig":{"topic":"t","inputFormat":{"type":"json"},"consumerProperties":{"bootstrap.servers":"b:9092"},
    "taskCount":"3","useEarliestOffset":"true"}})";
  auto s = parse_ok(text);
  CHECK(s.io.task_count == 3);
  CHECK(s.io.use_earliest_offset);
}

TEST_CASE("suspend toggles only the flag, and illegal updates are explained") {
  auto s = parse_ok(sv::test::read_data("specs/kafka_metrics.json"));
  auto suspended = with_suspended(s, true);
  CHECK(suspended.suspended);
  CHECK(to_json(with_suspended(suspended, false)).dump() == to_json(s).dump());
  auto other = s;
  CHECK_FALSE(illegal_update(s, other));
  other.io.topic = "other-topic";
  auto why = illegal_update(s, other);
  REQUIRE(why);
  CHECK(why->find("[metrics] to [other-topic]") != std::string::npos);
  auto multi = s;
  multi.io.topic.reset();
  multi.io.topic_pattern = "metrics.*";
  CHECK(illegal_update(s, multi));
}

TEST_CASE("a rabbit spec as Druid's docs write it: useEarliestSequenceNumber is taken") {
  const std::string base = R"({"type":"rabbit","spec":{
    "dataSchema":{"dataSource":"metrics-rabbit","timestampSpec":{"column":"timestamp"},
      "dimensionsSpec":{"dimensions":[]},"granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{"stream":"metrics","inputFormat":{"type":"json"},
      "uri":"rabbitmq-stream://localhost:5552","taskCount":1,"replicas":1,"taskDuration":"PT1H")";
  auto alias = parse_ok(base + R"(,"useEarliestSequenceNumber":true},
    "tuningConfig":{"type":"rabbit","maxRowsPerSegment":5000000,"maxRecordsPerPoll":100}}})");
  CHECK(alias.io.use_earliest_offset);
  CHECK(alias.io.stream == std::optional<std::string>{"metrics"});
  CHECK(alias.tuning.max_records_per_poll == std::optional<int32_t>{100});
  CHECK(alias.io.poll_timeout == 100);
  // The code's own name wins when both are given.
  auto both = parse_ok(
      base + R"(,"useEarliestSequenceNumber":true,"useEarliestOffset":false}}})");
  CHECK_FALSE(both.io.use_earliest_offset);
  auto none = parse_ok(base + "}}}");
  CHECK_FALSE(none.io.use_earliest_offset);
}

TEST_CASE("indexSpec compression: lz4 by default, as Druid; zstd and uncompressed read") {
  auto none = compression_of(std::nullopt);
  CHECK(none.dimensions == codec::lz4);
  CHECK(none.metrics == codec::lz4);
  auto c = compression_of(*json::parse(R"({"dimensionCompression":"zstd",
    "metricCompression":"uncompressed","bitmap":{"type":"roaring"}})"));
  CHECK(c.dimensions == codec::zstd);
  CHECK(c.metrics == codec::none);
  CHECK(compression_of(*json::parse(R"({"metricCompression":"lzf"})")).metrics ==
        codec::lz4);
  CHECK(compression_of(*json::parse(R"({"dimensionCompression":"none"})")).dimensions ==
        codec::none);
  tuning_config t;
  t.index_spec = *json::parse(R"({"dimensionCompression":"zstd"})");
  CHECK(t.segment_compression().dimensions == codec::zstd);
  CHECK(t.persist_compression().dimensions == codec::zstd);  // intermediate: indexSpec's
  t.index_spec_for_intermediate_persists =
      *json::parse(R"({"dimensionCompression":"uncompressed"})");
  CHECK(t.persist_compression().dimensions == codec::none);
  CHECK(t.segment_compression().dimensions == codec::zstd);
}
