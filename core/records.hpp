#pragma once
// Persisted records of the metadata store, as plain values: spec versions,
// segment descriptors, task rows, audit rows and the publish request.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/offsets.hpp"
#include "core/time.hpp"

namespace sv::core {

/// One row of the append-only spec history.
struct spec_version {
  int64_t seq = 0;           ///< store-assigned, increasing
  std::string spec_id;       ///< supervisor id
  std::string created_date;  ///< ISO 8601, Druid's "version" in history
  json payload;              ///< the spec as printed, or a tombstone
  friend bool operator==(const spec_version&, const spec_version&) = default;
};

/// Druid's tombstone:
/// {"type":"NoopSupervisorSpec","id":null,"dataSources":[...],"suspended":false}
json tombstone_payload(const std::vector<std::string>& data_sources);
bool is_tombstone(const json& payload);

/// A published (or publishable) segment. A publish may leave id and version
/// empty: the store then allocates them (the interval's current version, the
/// next free partition number) inside the publish transaction.
struct segment_record {
  std::string id;  ///< {dataSource}_{start}_{end}_{version}[_{partition}]

  std::string data_source;
  utc_time start{};
  utc_time end{};
  std::string version;
  int32_t partition_num = 0;
  int64_t size_bytes = 0;
  int64_t num_rows = 0;
  std::string path;  ///< location in deep storage
  std::string supervisor_id;
  bool used = true;
  json payload;  ///< dimensions, metrics and other descriptor fields
  friend bool operator==(const segment_record&, const segment_record&) = default;
};

/// Druid-style segment id.
std::string make_segment_id(const std::string& data_source, utc_time start, utc_time end,
                            const std::string& version, int32_t partition_num);

/// A task row.
struct task_record {
  std::string id;
  std::string supervisor_id;
  std::string data_source;
  std::string type;  ///< index_kafka, ...
  int32_t group_id = 0;
  std::string status;        ///< RUNNING, SUCCESS, FAILED
  std::string created_date;  ///< ISO 8601
  std::string location;      ///< worker the task runs on
  json payload;              ///< task spec
  json report;               ///< completion report (null while running)
  int64_t duration_ms = -1;  ///< run time of a finished task; -1 while running
  friend bool operator==(const task_record&, const task_record&) = default;
};

/// Which tasks to list; empty strings and a zero limit mean "any".
struct task_filter {
  std::string supervisor_id;
  std::string data_source;
  std::string status;
  int32_t limit = 0;
  std::string type;  ///< index_kafka, ...
  /// Created at or after `created_from` and before `created_to` (ISO 8601 UTC
  /// as format_utc_time writes it; empty: unbounded).
  std::string created_from;
  std::string created_to;
};

/// An audit row: who did what to which supervisor, with the offsets involved.
struct audit_record {
  int64_t seq = 0;
  std::string key;   ///< supervisor id
  std::string type;  ///< supervisor.create, supervisor.reset, supervisor.backfill, ...
  std::string author;
  std::string comment;
  json payload;
  std::string created_date;
  friend bool operator==(const audit_record&, const audit_record&) = default;
};

/// One transactional publish: segments plus the offsets move, as one unit.
struct publish_request {
  std::string supervisor_id;
  std::string type;                      ///< supervisor type for the offsets payload
  std::string stream;                    ///< topic / stream
  std::vector<segment_record> segments;  ///< empty for an offsets-only move
  offset_map start;
  offset_map end;
  offset_map commit_as;  ///< usually == end; L in the reset-and-backfill protocol
  std::optional<bounded_range> bounded;
};

/// What a publish did, with the row it was checked against.
struct publish_result {
  publish_outcome outcome = publish_outcome::diverged;
  std::optional<committed_offsets> stored;  ///< the row before the publish
  /// The segments as committed, with their allocated ids (when committed).
  std::vector<segment_record> segments;
};

}  // namespace sv::core
