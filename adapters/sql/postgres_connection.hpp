#pragma once
// sql::connection on PostgreSQL through libpq. Writers serialise on a
// transaction-scoped advisory lock derived from the lock key. A broken
// connection is reset once per statement before the error is returned.

#include <memory>
#include <string>

#include "adapters/sql/connection.hpp"

namespace sv::adapters::sql {

/// Connects with a libpq conninfo string or URI. TCP keepalives are enabled so
/// a dead server is noticed.
caf::expected<std::unique_ptr<connection>> open_postgres(const std::string& conninfo);

}  // namespace sv::adapters::sql
