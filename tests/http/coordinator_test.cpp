// Druid's coordinator metadata endpoints list published segments.

#include <doctest/doctest.h>

#include "adapters/metadata_store.hpp"
#include "tests/http/node_fixture.hpp"

using namespace sv;
using core::json;

TEST_CASE(
    "coordinator metadata endpoints list datasources and published segments with row "
    "counts") {
  test::node_fixture node;
  CHECK(node.get("/druid/coordinator/v1/metadata/datasources").json() ==
        json{json::array{}});
  // Publish two segments into the node's store through a second connection.
  auto store = adapters::open_metadata_store(node.options().metadata_uri);
  REQUIRE(store);
  core::publish_request req;
  req.supervisor_id = "wiki";
  req.type = "kafka";
  req.stream = "wiki";
  req.start = {{"0", 0}};
  req.end = req.commit_as = {{"0", 10}};
  for (int i = 0; i < 2; ++i) {
    core::segment_record s;
    s.data_source = "wiki";
    s.start = *core::parse_utc_time("2026-01-01T10:00:00Z");
    s.end = *core::parse_utc_time("2026-01-01T11:00:00Z");
    s.num_rows = 100 + i;
    s.size_bytes = 4096;
    s.path = "/deep/wiki/" + std::to_string(i) + ".seg";
    s.payload = json::make_object(
        {{"loadSpec", json::make_object({{"type", "local"}, {"path", s.path}})},
         {"dimensions", json{json::array{json{"page"}, json{"user"}}}},
         {"metrics", json{json::array{json{"count"}}}}});
    req.segments.push_back(s);
  }
  auto r = (*store)->publish(req);
  REQUIRE(r);
  REQUIRE(r->outcome == core::publish_outcome::committed);
  CHECK(node.get("/druid/coordinator/v1/metadata/datasources").json().dump() ==
        R"(["wiki"])");
  auto ids = node.get("/druid/coordinator/v1/metadata/datasources/wiki/segments").json();
  REQUIRE(ids.as_array().size() == 2);
  CHECK(ids.as_array()[0].as_string() == r->segments[0].id);
  auto full =
      node.get("/druid/coordinator/v1/metadata/datasources/wiki/segments?full").json();
  REQUIRE(full.as_array().size() == 2);
  const auto& second = full.as_array()[1];
  CHECK(second.find("interval")->as_string() ==
        "2026-01-01T10:00:00.000Z/2026-01-01T11:00:00.000Z");
  CHECK(second.find("numRows")->as_int() == 101);
  CHECK(second.find("dimensions")->as_string() == "page,user");
  CHECK(second.find("metrics")->as_string() == "count");
  CHECK(second.find("shardSpec")->find("partitionNum")->as_int() == 1);
  CHECK(second.find("identifier")->as_string() == r->segments[1].id);
  CHECK(second.find("loadSpec")->find("path")->as_string() == "/deep/wiki/1.seg");
  CHECK(node.get("/druid/coordinator/v1/metadata/datasources/none/segments").json() ==
        json{json::array{}});
}
