#pragma once
// metadata_store over an sql::connection: one implementation of every
// operation for SQLite and PostgreSQL. The publish decision itself is the pure
// core::check_publish; this file only reads the row and applies the result
// inside one write transaction.

#include <memory>

#include "adapters/metadata_store.hpp"
#include "adapters/sql/connection.hpp"

namespace sv::adapters::sql {

/// Wraps an open connection, running migrations first.
caf::expected<std::unique_ptr<metadata_store>> make_sql_store(std::unique_ptr<connection> conn);

}  // namespace sv::adapters::sql
