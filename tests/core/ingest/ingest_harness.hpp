#pragma once
// Test helper: a schema from dataSchema JSON, and an index with its ingestor
// fed rows from JSON text (tests of the rollup index and the ingestor).

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/ingest/ingestor.hpp"
#include "core/spec/supervisor_spec.hpp"
#include "tests/core/ingest/row_helper.hpp"

namespace sv::test {

inline core::data_schema make_schema(const std::string& text) {
  std::vector<core::problem> ps;
  core::data_schema ds;
  REQUIRE(core::read_value(*core::json::parse(text), ds, "dataSchema", ps));
  REQUIRE(ps.empty());
  return ds;
}

struct harness {
  core::ingest::schema s;
  core::ingest::rollup_index index;
  core::ingest::ingestor ing;
  json_rows rows;
  core::ingest::row_buffer row;
  explicit harness(const std::string& ds, core::ingest::time_window w = {})
      : s(std::move(*core::ingest::schema::make(make_schema(ds)))), index(s), ing(s, w) {}
  core::ingest::row_result add(const std::string& text) {
    rows.fill(text, s, row);
    return ing.add(row, index);
  }
};

}  // namespace sv::test
