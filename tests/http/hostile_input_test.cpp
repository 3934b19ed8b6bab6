// Hostile input against a real node: bodies nested far deeper than any spec
// are refused with a 400 naming the limit, on every endpoint that reads JSON,
// and the node keeps serving.

#include <doctest/doctest.h>

#include "tests/http/node_fixture.hpp"

using namespace sv;

namespace {

// About 100 KB of nesting: 50,000 levels.
std::string deep_arrays() {
  return std::string(50000, '[') + std::string(50000, ']');
}
std::string deep_objects() {
  std::string s;
  for (int i = 0; i < 25000; ++i) s += R"({"a":)";
  return s + "1" + std::string(25000, '}');
}

}  // namespace

TEST_CASE_FIXTURE(test::node_fixture,
                  "bodies nested 50,000 levels deep get a 400 on every JSON endpoint "
                  "and the node keeps serving") {
  const char* endpoints[] = {
      "/druid/indexer/v1/supervisor",
      "/druid/indexer/v1/supervisor/any/resetOffsets",
      "/druid/indexer/v1/supervisor/any/taskGroups/handoff",
      "/streamvisor/v1/kafka/topics",
  };
  for (const char* path : endpoints) {
    for (const auto& body : {deep_arrays(), deep_objects()}) {
      CAPTURE(path);
      CAPTURE(body.substr(0, 8));
      auto r = post(path, body);
      CHECK(r.status == 400);
      CHECK(r.body.find("nested deeper than 1000 levels") != std::string::npos);
    }
  }
  auto alive = get("/druid/indexer/v1/supervisor");
  CHECK(alive.status == 200);
  CHECK(alive.body == "[]");
}
