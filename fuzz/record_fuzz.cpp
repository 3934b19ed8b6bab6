// Fuzz target: stream records through an input format and the ingestor, as a
// task reads them. The first byte picks json, csv or tsv; the rest is the
// record. Rows or errors (counted as unparseable by a task), never a crash.

#include <cstdint>
#include <memory>
#include <string_view>

#include "adapters/formats/input_parser.hpp"
#include "core/ingest/ingestor.hpp"
#include "core/spec/data_schema.hpp"

namespace {

using namespace sv;

struct harness {
  core::ingest::schema schema;
  std::unique_ptr<adapters::input_parser> parsers[3];
  core::ingest::row_buffer row;

  static core::ingest::schema make_schema() {
    std::vector<core::problem> ps;
    core::data_schema d;
    core::read_value(*core::json::parse(R"({"dataSource":"wiki",
      "timestampSpec":{"column":"ts","format":"auto"},
      "dimensionsSpec":{"dimensions":["page","user",{"type":"long","name":"ns"},
        {"type":"double","name":"score"},"tags"]},
      "metricsSpec":[{"type":"count","name":"count"},
        {"type":"longSum","name":"added","fieldName":"added"},
        {"type":"doubleMax","name":"maxScore","fieldName":"score"},
        {"type":"longFirst","name":"first","fieldName":"added"}],
      "transformSpec":{"filter":{"type":"not","field":{"type":"selector",
        "dimension":"page","value":"skip"}}},
      "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"MINUTE",
        "rollup":true}})"),
                     d, "", ps);
    return std::move(*core::ingest::schema::make(d));
  }

  static std::unique_ptr<adapters::input_parser> parser(const char* format) {
    std::vector<core::problem> ps;
    core::input_format f;
    core::read_value(*core::json::parse(format), f, "", ps);
    return std::move(*adapters::make_input_parser(f));
  }

  harness() : schema(make_schema()) {
    parsers[0] = parser(R"({"type":"json"})");
    parsers[1] = parser(
        R"({"type":"csv","columns":["ts","page","user","ns","score","added","tags"],"listDelimiter":"|"})");
    parsers[2] = parser(
        R"({"type":"tsv","columns":["ts","page","user","ns","score","added","tags"]})");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static harness h;
  if (size == 0) return 0;
  auto& parser = h.parsers[data[0] % 3];
  std::string_view record{reinterpret_cast<const char*>(data + 1), size - 1};
  core::ingest::rollup_index index{h.schema};
  core::ingest::ingestor ingest{h.schema};
  (void)parser->parse(record, h.schema, h.row,
                      [&](const core::ingest::row_buffer& r) { ingest.add(r, index); });
  return 0;
}
