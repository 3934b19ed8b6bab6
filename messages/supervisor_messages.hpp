#pragma once
// Messages between the manager and one supervisor.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "messages/manager_messages.hpp"
#include "messages/metadata_messages.hpp"

namespace sv::msg {

/// The supervisor's spec changed (update, suspend, resume, scale).
struct spec_updated {
  core::supervisor_spec spec;
  friend bool operator==(const spec_updated& a, const spec_updated& b) {
    return core::to_json(a.spec) == core::to_json(b.spec);
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spec_updated& x) {
  return f(caf::meta::type_name("spec_updated"), x.spec);
}

/// Stop the supervisor. Graceful: reading tasks publish first; otherwise tasks
/// are left running for a later leader to adopt.
enum class stop_mode : uint8_t { graceful, leave_tasks };
inline std::string to_string(stop_mode m) {
  return m == stop_mode::graceful ? "graceful" : "leave_tasks";
}

struct stop_supervisor {
  stop_mode mode = stop_mode::graceful;
  friend bool operator==(const stop_supervisor&, const stop_supervisor&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stop_supervisor& x) {
  return f(caf::meta::type_name("stop_supervisor"), x.mode);
}

}  // namespace sv::msg

namespace sv::msg {

/// Ask the stream probe for partitions and latest (and earliest) offsets.
/// With `lag_from` (Kinesis): also how far behind the newest record those
/// positions are, in milliseconds.
struct probe_stream {
  bool earliest = true;
  core::offset_map lag_from;
  friend bool operator==(const probe_stream&, const probe_stream&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, probe_stream& x) {
  return f(caf::meta::type_name("probe_stream"), x.earliest, x.lag_from);
}

/// A probe_stream for a node's shared probe worker (actors/probe_hub): the
/// spec says which stream, `stream` which of the worker's clients serves it.
/// Node-local: the spec is shared with the supervisor's probe, not copied
/// into every request (and not serialised).
struct probe_cluster {
  std::shared_ptr<const core::supervisor_spec> spec;
  std::string stream;
  probe_stream request;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, probe_cluster& x) {
  return f(caf::meta::type_name("probe_cluster"), x.stream, x.request);
}

struct stream_snapshot {
  std::vector<core::partition_id> partitions;
  core::offset_map earliest;  ///< empty unless asked
  core::offset_map latest;
  core::offset_map time_lag;  ///< ms, for probe_stream::lag_from
  /// Partition -> its parents (Kinesis shards made by a split or a merge).
  std::map<core::partition_id, std::vector<core::partition_id>> parents;
  friend bool operator==(const stream_snapshot&, const stream_snapshot&) = default;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_snapshot& x) {
  return f(caf::meta::type_name("stream_snapshot"), x.partitions, x.earliest, x.latest,
           x.time_lag, x.parents);
}

/// A reset-and-backfill asks the manager to create its backfill supervisor.
/// The manager commits `begin` (the backfill's first spec version, the source
/// row's jump and the audit row: one transaction), then starts `spec`; it
/// replies only once the backfill supervisor runs. When the id is taken (a
/// supervisor of that id runs, is being created, or ever had a spec version)
/// nothing changes and the reply is errc::conflict.
struct create_backfill_supervisor {
  md_begin_backfill begin;
  core::supervisor_spec spec;
  friend bool operator==(const create_backfill_supervisor& a,
                         const create_backfill_supervisor& b) {
    return a.begin == b.begin && core::to_json(a.spec) == core::to_json(b.spec);
  }
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_backfill_supervisor& x) {
  return f(caf::meta::type_name("create_backfill_supervisor"), x.begin, x.spec);
}

}  // namespace sv::msg
