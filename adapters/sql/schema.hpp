#pragma once
// Versioned schema migrations of the metadata store, per dialect. Applied in
// order at start-up inside one write transaction; the applied version is kept
// in the schema_version table.

#include <cstdint>

#include "adapters/sql/connection.hpp"

namespace sv::adapters::sql {

/// The newest schema version this build knows.
int32_t latest_schema_version();

/// Brings the schema up to date; returns the version afterwards. Fails if the
/// database has a newer schema than this build knows.
caf::expected<int32_t> migrate(connection& conn);

}  // namespace sv::adapters::sql
