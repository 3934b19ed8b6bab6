#include "core/records.hpp"

namespace sv::core {

json tombstone_payload(const std::vector<std::string>& data_sources) {
  json::array ds;
  for (const auto& d : data_sources) ds.emplace_back(d);
  return json::make_object({{"type", "NoopSupervisorSpec"},
                            {"id", json{}},
                            {"dataSources", json{std::move(ds)}},
                            {"suspended", false}});
}

bool is_tombstone(const json& payload) {
  const json* type = payload.find("type");
  return type && type->is_string() && type->as_string() == "NoopSupervisorSpec";
}

std::string make_segment_id(const std::string& data_source, utc_time start, utc_time end,
                            const std::string& version, int32_t partition_num) {
  std::string id = data_source + "_" + format_utc_time(start) + "_" +
                   format_utc_time(end) + "_" + version;
  if (partition_num != 0) {
    id += '_';  // not "_" + to_string(...): g++ 12 reports a false -Wrestrict there
    id += std::to_string(partition_num);
  }
  return id;
}

}  // namespace sv::core
