// Fuzz target: the offsets JSON the node reads — stored offsets rows
// (datasource_metadata), offset maps, and resetOffsets bodies checked against
// a Kafka spec. Values or errors, never a crash; a stored row read back
// prints to JSON that reads back to the same row.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/offsets.hpp"
#include "core/supervisor/reset_request.hpp"

namespace {

const sv::core::supervisor_spec& kafka_spec() {
  static const auto spec = *sv::core::parse_supervisor_spec_text(R"({"type":"kafka",
    "spec":{"dataSchema":{"dataSource":"wiki","timestampSpec":{"column":"ts"},
      "dimensionsSpec":{"dimensions":[]},"granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{"topic":"wiki","consumerProperties":{"bootstrap.servers":"x:9092"},
      "inputFormat":{"type":"json"}},"tuningConfig":{"type":"kafka"}}})")
                                .spec;
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto j = sv::core::json::parse(text);
  if (!j) return 0;
  (void)sv::core::offset_map_from_json(*j);
  (void)sv::core::supervisor::parse_reset_offsets(*j, kafka_spec());
  auto row = sv::core::committed_offsets_from_json(*j);
  if (!row) return 0;
  auto back = sv::core::committed_offsets_from_json(sv::core::to_json(*row));
  if (!back || !(*back == *row)) std::abort();
  return 0;
}
