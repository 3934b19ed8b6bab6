#pragma once
// Leadership of a cluster on PostgreSQL (DESIGN.md §8): a session advisory
// lock held on a dedicated connection, and an epoch in the `leader` table that
// every new leader bumps in the transaction that records it. Leader writes
// check the epoch, so a paused or cut-off former leader changes nothing.
//
// The lock's connection is never re-established behind the caller's back: a
// dropped connection is a dropped lock, and check() reports it as
// errc::leadership_lost. libpq keepalives and tcp_user_timeout make a dead
// server or network noticed within seconds, not the kernel's two hours.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "adapters/sql/connection.hpp"

namespace sv::adapters::sql {

/// The leader as recorded in the `leader` table.
struct leader_record {
  std::string node_id;
  std::string address;
  int64_t epoch = 0;
  std::string since;  ///< ISO 8601 UTC
};

class leader_lock {
 public:
  virtual ~leader_lock() = default;

  /// Tries to take the lock without waiting. The new epoch when this node now
  /// leads (recorded with its node id and address), nullopt while another node
  /// holds the lock. Taking a lock already held returns the current epoch.
  virtual caf::expected<std::optional<int64_t>> try_acquire() = 0;

  /// One round trip on the lock's connection: errc::leadership_lost when the
  /// connection or the lock is gone, otherwise no error. Without the lock
  /// ever taken, also leadership_lost.
  virtual caf::error check() = 0;

  /// Ends the database session that holds the lock (pg_terminate_backend):
  /// for a leader whose registration went stale while its session lives on —
  /// a paused process keeps its TCP connection, and the kernel answers the
  /// keepalives. True when a session was ended.
  virtual caf::expected<bool> evict_holder() = 0;

  /// Gives the lock up (the recorded epoch stays; the next leader bumps it).
  virtual void release() = 0;
};

/// A lock for `cluster` on its own connection (libpq conninfo). The `leader`
/// table must exist (the metadata store's migrations create it).
caf::expected<std::unique_ptr<leader_lock>> open_leader_lock(const std::string& conninfo,
                                                             const std::string& cluster,
                                                             const std::string& node_id,
                                                             const std::string& address);

/// The leader recorded for `cluster`, nullopt before the first.
caf::expected<std::optional<leader_record>> read_leader(connection& conn,
                                                        const std::string& cluster);

}  // namespace sv::adapters::sql
