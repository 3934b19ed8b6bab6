#include "core/supervisor/backfill_spec.hpp"

#include "core/errc.hpp"

namespace sv::core::supervisor {

std::string backfill_id(const std::string& source_id, std::mt19937_64& rng) {
  std::string suffix(8, 'a');
  for (auto& c : suffix) c = static_cast<char>('a' + rng() % 16);
  return source_id + "_backfill_" + suffix;
}

caf::expected<supervisor_spec> make_backfill_spec(const supervisor_spec& source,
                                                  const std::string& id,
                                                  const bounded_range& range,
                                                  int32_t task_count) {
  auto j = to_json(source);
  j.set("id", id);
  json* io = j.find("spec") ? j.find("spec")->find("ioConfig") : nullptr;
  if (!io) return make_error(errc::internal, "printed spec without spec.ioConfig");
  io->set("boundedStreamConfig",
          json::make_object({{"startSequenceNumbers", to_json(range.start)},
                             {"endSequenceNumbers", to_json(range.end)}}));
  if (task_count > 0) io->set("taskCount", task_count);
  // The printed spec repeats its parts at the top level; "spec" is what counts.
  for (const char* part : {"dataSchema", "ioConfig", "tuningConfig"}) j.erase(part);
  auto parsed = parse_supervisor_spec(j);
  if (!parsed.ok())
    return make_error(errc::internal, "backfill spec: " + describe(parsed.problems));
  return std::move(*parsed.spec);
}

}  // namespace sv::core::supervisor
