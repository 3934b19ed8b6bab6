#include "core/verify/leader_log.hpp"

namespace sv::core::verify {

violation_list check_leader_log(const std::vector<leader_log_row>& rows, size_t listed) {
  violation_list out;
  auto note = [&](std::string what) {
    ++out.count;
    if (out.first.size() < listed) out.first.push_back(std::move(what));
  };
  int64_t current = 0;
  for (const auto& r : rows) {
    auto where = " (row " + std::to_string(r.seq) + ", " + r.at + ")";
    if (r.kind == "elected") {
      if (r.epoch <= current)
        note("epoch " + std::to_string(r.epoch) + " elected after epoch " +
             std::to_string(current) + where);
      else
        current = r.epoch;
      continue;
    }
    if (r.epoch != current)
      note("a leader write (" + r.kind + ") by epoch " + std::to_string(r.epoch) +
           " while epoch " + std::to_string(current) + " led" + where);
  }
  return out;
}

}  // namespace sv::core::verify
