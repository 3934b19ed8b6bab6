#include "core/stream/cluster_ids.hpp"

#include <algorithm>
#include <regex>

namespace sv::core::stream {

namespace {

bool exact(const supervisor_spec& spec) {
  return spec.io.topic.has_value();
}

}  // namespace

cluster_view spec_partitions(const supervisor_spec& spec,
                             const std::vector<partition_id>& cluster) {
  cluster_view out;  // ids in the spec's order (sorted as a reader lists them)
  std::optional<std::regex> pattern;
  std::string prefix;
  if (exact(spec)) {
    prefix = *spec.io.topic + ":";
  } else {
    try {
      pattern.emplace(spec.io.topic_pattern.value_or(""));
    } catch (const std::regex_error&) {
      return out;  // validation refuses such specs; nothing matches
    }
  }
  std::string last_topic;
  bool last_match = false;
  for (const auto& id : cluster) {
    auto colon = id.rfind(':');
    if (colon == std::string::npos) continue;
    if (pattern) {
      std::string_view topic{id.data(), colon};
      if (topic != last_topic) {
        last_topic = std::string{topic};
        last_match =
            last_topic.rfind("__", 0) != 0 && std::regex_match(last_topic, *pattern);
      }
      if (!last_match) continue;
      out.partitions.push_back(id);
    } else {
      if (id.size() <= prefix.size() || id.compare(0, prefix.size(), prefix) != 0 ||
          colon + 1 != prefix.size())
        continue;
      out.partitions.push_back(id.substr(prefix.size()));
    }
    out.found = true;
  }
  if (!pattern) std::sort(out.partitions.begin(), out.partitions.end(), partition_less{});
  return out;
}

partition_id to_cluster_id(const supervisor_spec& spec, const partition_id& id) {
  return exact(spec) ? *spec.io.topic + ":" + id : id;
}

partition_id from_cluster_id(const supervisor_spec& spec, const partition_id& id) {
  if (!exact(spec)) return id;
  return id.substr(spec.io.topic->size() + 1);
}

offset_map to_cluster_ids(const supervisor_spec& spec, const offset_map& m) {
  if (!exact(spec)) return m;
  offset_map out;
  for (const auto& [id, o] : m) out.emplace(to_cluster_id(spec, id), o);
  return out;
}

offset_map from_cluster_ids(const supervisor_spec& spec, const offset_map& m) {
  if (!exact(spec)) return m;
  offset_map out;
  for (const auto& [id, o] : m) out.emplace(from_cluster_id(spec, id), o);
  return out;
}

}  // namespace sv::core::stream
