#include "core/supervisor/partition_groups.hpp"

#include <charconv>

namespace sv::core::supervisor {

int32_t group_of(const partition_id& p, int32_t task_count) {
  if (task_count <= 1) return 0;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
  if (ec == std::errc{} && ptr == p.data() + p.size() && n >= 0)
    return static_cast<int32_t>(n % task_count);
  // FNV-1a: the same on every node and every run (std::hash is not).
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : p) h = (h ^ c) * 1099511628211ull;
  return static_cast<int32_t>(h % static_cast<uint64_t>(task_count));
}

std::map<int32_t, std::vector<partition_id>> partition_groups(
    const std::vector<partition_id>& ps, int32_t task_count) {
  std::map<int32_t, std::vector<partition_id>> out;
  for (const auto& p : ps) out[group_of(p, task_count)].push_back(p);
  return out;
}

}  // namespace sv::core::supervisor
