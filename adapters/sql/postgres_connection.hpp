#pragma once
// sql::connection on PostgreSQL through libpq. Writers serialise on a
// transaction-scoped advisory lock derived from the lock key. A broken
// connection is reset once per statement before the error is returned.

#include <memory>
#include <string>

#include "adapters/sql/connection.hpp"

namespace sv::adapters::sql {

/// Connects with a libpq conninfo string or URI. TCP keepalives are enabled
/// on both ends: this process notices a dead server, and the server notices a
/// dead or cut-off client (set_server_keepalives), so a transaction it left
/// open does not hold its locks for the kernel's two hours.
caf::expected<std::unique_ptr<connection>> open_postgres(const std::string& conninfo);

/// The server's end of a libpq connection: keepalive probes after `idle_s`
/// idle seconds, every `interval_s`, `count` of them, and unacknowledged data
/// for `user_timeout_ms` (0: the kernel's) closes the session. Session-level:
/// applied again after a reconnect.
caf::error set_server_keepalives(void* pgconn, int idle_s, int interval_s, int count,
                                 int user_timeout_ms);

}  // namespace sv::adapters::sql
