#include <set>

#include <doctest/doctest.h>

#include "core/spec/supervisor_spec.hpp"
#include "tests/spec_cases.hpp"

using namespace sv::core;

TEST_CASE("the base spec of the invalid cases is itself valid") {
  auto r = parse_supervisor_spec(sv::test::base_kafka_spec());
  INFO(describe(r.problems));
  CHECK(r.ok());
}

TEST_CASE("every invalid spec is rejected naming the right path and reason") {
  auto cases = sv::test::invalid_spec_cases();
  CHECK(cases.size() >= 30);
  std::set<std::string> names;
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(names.insert(c.name).second);
    auto r = parse_supervisor_spec(c.spec);
    CHECK_FALSE(r.ok());
    INFO(describe(r.problems));
    bool found = false;
    for (const auto& p : r.problems)
      if (p.path == c.path && p.message.find(c.fragment) != std::string::npos)
        found = true;
    CHECK(found);
  }
}

TEST_CASE("all problems are reported at once, not just the first") {
  auto spec =
      sv::test::patched(sv::test::base_kafka_spec(), "spec/ioConfig/taskCount", json{0});
  spec = sv::test::patched(spec, "spec/ioConfig/replicas", json{0});
  spec = sv::test::patched(spec, "spec/tuningConfig/maxRowsInMemory", json{-1});
  spec = sv::test::patched(spec, "spec/dataSchema/dataSource", std::nullopt);
  auto r = parse_supervisor_spec(spec);
  REQUIRE(r.problems.size() == 4);
  auto text = describe(r.problems);
  CHECK(text.find("spec.ioConfig.taskCount: must be >= 1 (got 0)") != std::string::npos);
  CHECK(text.find("spec.ioConfig.replicas") != std::string::npos);
  CHECK(text.find("spec.tuningConfig.maxRowsInMemory") != std::string::npos);
  CHECK(text.find("spec.dataSchema.dataSource") != std::string::npos);
}

TEST_CASE("malformed JSON and non-object bodies are problems, not crashes") {
  CHECK_FALSE(parse_supervisor_spec_text("{not json").ok());
  CHECK_FALSE(parse_supervisor_spec_text("[]").ok());
  CHECK_FALSE(parse_supervisor_spec_text("null").ok());
}
