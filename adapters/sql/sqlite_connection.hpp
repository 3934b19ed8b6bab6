#pragma once
// sql::connection on SQLite 3: WAL journal, synchronous=NORMAL, a busy timeout
// so a second writer waits instead of failing, BEGIN IMMEDIATE for writes.

#include <memory>
#include <string>

#include "adapters/sql/connection.hpp"

namespace sv::adapters::sql {

/// Opens (creating if needed) the database at `path`; ":memory:" for a private
/// in-memory database. `busy_timeout_ms` bounds how long a writer waits for the lock.
caf::expected<std::unique_ptr<connection>> open_sqlite(const std::string& path,
                                                       int busy_timeout_ms = 5000);

}  // namespace sv::adapters::sql
