#pragma once
// The supervisor spec: Druid's JSON for `kafka`, `kinesis` and `rabbit`
// supervisors, typed, with Druid's defaults, unknown fields kept.
//
// Both Druid layouts are accepted: fields under "spec" ({"type", "spec":
// {"dataSchema", "ioConfig", "tuningConfig"}}) or dataSchema/ioConfig/
// tuningConfig at the top level. When both are present "spec" wins, as in
// Druid. Printing gives Druid's GET shape: "spec" plus the same three objects
// at the top level, "context" and "suspended".

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/spec/data_schema.hpp"
#include "core/spec/io_config.hpp"
#include "core/spec/tuning_config.hpp"

namespace sv::core {

struct supervisor_spec {
  std::string type;  ///< kafka, kinesis, rabbit
  std::string id;    ///< defaults to dataSchema.dataSource
  data_schema schema;
  io_config io;
  tuning_config tuning;
  std::optional<json::object> context;
  bool suspended = false;
  json::object extra;       ///< unknown top-level members
  json::object spec_extra;  ///< unknown members inside "spec"
  /// "spec." when the posted JSON nested its parts under "spec", else "".
  std::string layout_prefix = "spec.";

  const std::string& data_source() const { return schema.data_source; }
  /// The stream the supervisor reads (topic, topicPattern or stream).
  std::string stream() const { return io.stream_name(); }
  /// Lock type from the context: APPEND with useConcurrentLocks, else
  /// taskLockType, else EXCLUSIVE (or SHARED with useSharedLock).
  std::string task_lock_type() const;
  /// True when the context enables concurrent (APPEND) locks.
  bool uses_concurrent_locks() const;
};

/// Supervisor types this node knows.
bool is_known_supervisor_type(std::string_view type);

/// Parses and validates a spec. On failure every problem found is returned,
/// each with its JSON path as posted (e.g. "spec.ioConfig.taskCount").
struct spec_result {
  std::optional<supervisor_spec> spec;
  std::vector<problem> problems;
  bool ok() const { return spec.has_value() && problems.empty(); }
};
spec_result parse_supervisor_spec(const json& posted);
spec_result parse_supervisor_spec_text(std::string_view text);

/// Validation alone (parse_supervisor_spec calls it).
std::vector<problem> validate(const supervisor_spec& s);

/// Druid's GET shape with defaults filled in.
json to_json(const supervisor_spec& s);

/// "a: x; b: y" — one line for logs and the "error" field of a 400.
std::string describe(const std::vector<problem>& ps);

/// The spec with `suspended` set (what suspend/resume persist).
supervisor_spec with_suspended(supervisor_spec s, bool suspended);

/// Druid's rule for updating a running supervisor: type, stream and the
/// topic/topicPattern choice may not change. Returns the reason when illegal.
std::optional<std::string> illegal_update(const supervisor_spec& from,
                                          const supervisor_spec& to);

}  // namespace sv::core
