#pragma once
// The metadata store: spec history, committed offsets, segments, tasks and
// audit rows, with the transactional publish that moves offsets and inserts
// segments as one unit (DESIGN.md §3, §4).
//
// Contract
// * Calls block; use a store only from one thread at a time, in practice from
//   the detached metadata actor. Open one store per thread for concurrency.
// * Errors are values: adapters::errc::store_unavailable / store_busy are
//   retryable, store_failed / corrupt_record are not.
// * Schema migrations run when a store is opened.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/locks/lock_table.hpp"
#include "core/records.hpp"
#include "core/verify/leader_log.hpp"

namespace sv::adapters {

/// A leader's claim (DESIGN.md §8): the epoch it won for its cluster.
struct leader_fence {
  std::string cluster;
  int64_t epoch = 0;
  int64_t refused = 0;  ///< leader writes refused since the fence was set
};

class metadata_store {
 public:
  virtual ~metadata_store() = default;

  /// From now on every leader write — spec versions, offsets resets, edits
  /// and deletes, backfill begins, audit rows — checks in its own
  /// transaction that `f.cluster`'s leader epoch is still `f.epoch`, and is
  /// refused with errc::leadership_lost (nothing written) otherwise.
  /// Publishes and task rows are not leader writes (a task's publish is
  /// guarded by its offsets CAS). nullopt: no check (a single node).
  virtual void fence_leader_writes(std::optional<leader_fence> f) = 0;

  // -- specs ----------------------------------------------------------------

  /// Appends a spec version (or a tombstone payload) for `spec_id`.
  virtual caf::expected<core::spec_version> append_spec(const std::string& spec_id,
                                                        const core::json& payload) = 0;
  /// The newest row of every spec id, tombstones included, ordered by id.
  virtual caf::expected<std::vector<core::spec_version>> latest_specs() = 0;
  /// History newest first; all ids when `spec_id` is empty; at most `limit` rows per id.
  virtual caf::expected<std::vector<core::spec_version>> spec_history(
      const std::optional<std::string>& spec_id, std::optional<int32_t> limit) = 0;

  // -- committed offsets ----------------------------------------------------

  virtual caf::expected<std::optional<core::committed_offsets>> committed_offsets(
      const std::string& supervisor_id) = 0;
  /// Unconditionally writes the row (resetOffsets, bounded config binding).
  virtual caf::error reset_offsets(const std::string& supervisor_id,
                                   const core::committed_offsets& offsets) = 0;
  /// In one transaction with the publishes of this supervisor: the row
  /// becomes (stored minus `drop`) plus `set` (Druid's resetOffsets merge, and
  /// the automatic reset of unavailable offsets), plus `if_absent` for the
  /// partitions it then has no offset for, created with `type` and `stream`
  /// when absent. Returns the new row.
  virtual caf::expected<core::committed_offsets> edit_offsets(
      const std::string& supervisor_id, const std::string& type,
      const std::string& stream, const core::offset_map& set,
      const std::vector<core::partition_id>& drop,
      const core::offset_map& if_absent = {}) = 0;
  /// Reset to latest and backfill, in one transaction: appends the backfill
  /// supervisor's first spec version, records `jump` in the row of
  /// `supervisor_id` (created when absent), and appends `audit`. The backfill
  /// id must never have had a spec version (errc::id_taken, nothing written);
  /// a repeated call whose spec equals the stored one returns its version.
  virtual caf::expected<core::spec_version> begin_backfill(
      const std::string& supervisor_id, const std::string& type,
      const std::string& stream, const core::offset_jump& jump,
      const std::string& backfill_id, const core::json& backfill_spec,
      const core::audit_record& audit) = 0;
  /// Deletes the row (hard reset); true if a row existed.

  virtual caf::expected<bool> delete_offsets(const std::string& supervisor_id) = 0;

  /// In one transaction: checks the row against `start` (core::check_publish),
  /// and when it matches inserts the segments and sets the row to
  /// stored.plus(commit_as). Otherwise changes nothing.
  virtual caf::expected<core::publish_result> publish(
      const core::publish_request& req) = 0;

  // -- segments -------------------------------------------------------------

  virtual caf::expected<std::vector<core::segment_record>> segments(
      const std::string& data_source, bool used_only) = 0;
  /// Every datasource with at least one used segment.
  virtual caf::expected<std::vector<std::string>> data_sources() = 0;

  // -- tasks ----------------------------------------------------------------

  virtual caf::error upsert_task(const core::task_record& task) = 0;
  virtual caf::expected<std::optional<core::task_record>> task(const std::string& id) = 0;
  /// Newest first.
  virtual caf::expected<std::vector<core::task_record>> tasks(
      const core::task_filter& f) = 0;

  // -- audit ----------------------------------------------------------------

  virtual caf::expected<core::audit_record> append_audit(
      const core::audit_record& rec) = 0;
  /// Newest first; all keys when `key` is empty.
  virtual caf::expected<std::vector<core::audit_record>> audit(
      const std::optional<std::string>& key, std::optional<int32_t> limit) = 0;

  // -- time-chunk locks (a cluster's lockbox, DESIGN.md §8) ----------------

  /// Records a granted lock (a leader write); a repeated one is kept once.
  virtual caf::error persist_lock(const core::locks::lock_request& r) = 0;
  /// Forgets every lock of `task_id` (a leader write).
  virtual caf::error drop_locks(const std::string& task_id) = 0;
  /// Every recorded lock, in the order granted.
  virtual caf::expected<std::vector<core::locks::lock_request>> task_locks() = 0;

  /// A cluster's elections and fenced leader writes, in commit order
  /// (leader_log_rows.hpp); empty on a single node.
  virtual caf::expected<std::vector<core::verify::leader_log_row>> leader_log(
      const std::string& cluster) {
    (void)cluster;
    return std::vector<core::verify::leader_log_row>{};
  }

  /// The schema version after migrations.
  virtual caf::expected<int32_t> schema_version() = 0;
  /// "sqlite" or "postgres".
  virtual std::string kind() const = 0;
};

/// Opens a store by URI: "sqlite:PATH" (WAL mode; "sqlite::memory:" for a
/// private in-memory database) or "postgres://..." / "postgresql://..." /
/// "postgres:KEY=VALUE ..." (libpq conninfo). Runs migrations.
caf::expected<std::unique_ptr<metadata_store>> open_metadata_store(
    const std::string& uri);

/// The libpq conninfo of a PostgreSQL store URI; nullopt for other stores.
std::optional<std::string> postgres_conninfo(const std::string& uri);

}  // namespace sv::adapters
