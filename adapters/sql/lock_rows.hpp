#pragma once
// The time-chunk locks a cluster's lockbox granted (table task_locks): kept
// so that a new leader's lockbox starts from them (DESIGN.md §8). Statements
// only; the caller owns the transaction and the leader fence.

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "adapters/sql/connection.hpp"
#include "core/locks/lock_table.hpp"

namespace sv::adapters::sql {

/// Records a granted lock; one already recorded is kept once.
caf::error insert_lock(connection& conn, const core::locks::lock_request& r);
/// Forgets every lock of `task_id`.
caf::error delete_locks(connection& conn, const std::string& task_id);
/// Every recorded lock, in the order granted.
caf::expected<std::vector<core::locks::lock_request>> select_locks(connection& conn);

}  // namespace sv::adapters::sql
