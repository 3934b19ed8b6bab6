#include "core/stream/cluster_ids.hpp"

#include <doctest/doctest.h>

#include "core/spec/supervisor_spec.hpp"

using namespace sv::core;
using namespace sv::core::stream;

namespace {

supervisor_spec kafka_spec(const std::string& topic_field) {
  auto text = R"({"type":"kafka","spec":{
    "dataSchema":{"dataSource":"d","timestampSpec":{"column":"ts"},
      "dimensionsSpec":{"dimensions":[]},"granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{)" +
              topic_field +
              R"(,"consumerProperties":{"bootstrap.servers":"x:9092"},
      "inputFormat":{"type":"json"}}}})";
  auto r = parse_supervisor_spec_text(text);
  REQUIRE_MESSAGE(r.ok(), describe(r.problems));
  return *r.spec;
}

const std::vector<partition_id> cluster{"__consumer_offsets:0",
                                        "clicks:0",
                                        "clicks:1",
                                        "clicks:10",
                                        "clicks:2",
                                        "clicks2:0",
                                        "views:0",
                                        "views:1"};

}  // namespace

TEST_CASE("cluster ids: a topic's partitions are its bare numbers, in partition order") {
  auto spec = kafka_spec(R"("topic":"clicks")");
  auto v = spec_partitions(spec, cluster);
  CHECK(v.found);
  CHECK(v.partitions == std::vector<partition_id>{"0", "1", "2", "10"});
  CHECK(to_cluster_id(spec, "10") == "clicks:10");
  CHECK(from_cluster_id(spec, "clicks:10") == "10");
  offset_map m{{"0", 5}, {"10", 7}};
  auto c = to_cluster_ids(spec, m);
  CHECK(c == offset_map{{"clicks:0", 5}, {"clicks:10", 7}});
  CHECK(from_cluster_ids(spec, c) == m);
}

TEST_CASE(
    "cluster ids: a topic that is missing, or only a prefix of another, is not found") {
  auto missing = spec_partitions(kafka_spec(R"("topic":"orders")"), cluster);
  CHECK_FALSE(missing.found);
  CHECK(missing.partitions.empty());
  auto prefix = spec_partitions(kafka_spec(R"("topic":"click")"), cluster);
  CHECK_FALSE(prefix.found);
}

TEST_CASE(
    "cluster ids: a pattern keeps topic:partition for full matches, never __ topics") {
  auto spec = kafka_spec(R"("topicPattern":"clicks|views|__.*")");
  auto v = spec_partitions(spec, cluster);
  CHECK(v.found);
  CHECK(v.partitions == std::vector<partition_id>{"clicks:0", "clicks:1", "clicks:10",
                                                  "clicks:2", "views:0", "views:1"});
  CHECK(to_cluster_id(spec, "views:1") == "views:1");
  CHECK(from_cluster_id(spec, "views:1") == "views:1");
  CHECK_FALSE(
      spec_partitions(kafka_spec(R"("topicPattern":"nothing.*")"), cluster).found);
}
