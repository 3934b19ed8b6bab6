#include "adapters/metadata_store.hpp"

#include "adapters/errc.hpp"
#include "adapters/sql/open_connection.hpp"
#include "adapters/sql/postgres_connection.hpp"
#include "adapters/sql/sql_store.hpp"
#include "adapters/sql/sqlite_connection.hpp"

namespace sv::adapters {

std::optional<std::string> postgres_conninfo(const std::string& uri) {
  auto starts = [&](std::string_view p) { return uri.rfind(p, 0) == 0; };
  if (starts("postgres://") || starts("postgresql://")) return uri;
  if (starts("postgres:")) return uri.substr(9);
  return std::nullopt;
}

caf::expected<std::unique_ptr<metadata_store>> open_metadata_store(
    const std::string& uri) {
  auto conn = sql::open_connection(uri);
  if (!conn) return conn.error();
  return sql::make_sql_store(std::move(*conn));
}

caf::expected<std::unique_ptr<sql::connection>> sql::open_connection(
    const std::string& uri) {
  auto starts = [&](std::string_view p) { return uri.rfind(p, 0) == 0; };
  if (starts("sqlite:")) {
    auto path = uri.substr(7);
    if (path.empty())
      return make_error(errc::bad_uri, "sqlite: URI needs a path: " + uri);
    return sql::open_sqlite(path);
  }
  if (starts("postgres://") || starts("postgresql://")) return sql::open_postgres(uri);
  if (starts("postgres:")) return sql::open_postgres(uri.substr(9));
  return make_error(
      errc::bad_uri,
      "unknown metadata store URI '" + uri +
          "' (expected sqlite:PATH, postgres://... or postgres:KEY=VALUE ...)");
}

}  // namespace sv::adapters
