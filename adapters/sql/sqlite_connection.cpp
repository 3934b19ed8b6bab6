#include "adapters/sql/sqlite_connection.hpp"

#include <map>

#include <sqlite3.h>

#include "adapters/errc.hpp"

namespace sv::adapters::sql {

namespace {

// "$12" -> "?12" so both dialects can share statements.
std::string to_sqlite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool in_string = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') in_string = !in_string;
    if (!in_string && c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' &&
        sql[i + 1] <= '9')
      out += '?';
    else
      out += c;
  }
  return out;
}

class sqlite_connection final : public connection {
 public:
  explicit sqlite_connection(sqlite3* db) : db_(db) {}

  ~sqlite_connection() override {
    for (auto& [_, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  dialect kind() const override { return dialect::sqlite; }

  caf::expected<std::vector<row>> query(std::string_view sql,
                                        const std::vector<value>& params) override {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    sqlite3_stmt* s = *stmt;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    for (size_t i = 0; i < params.size(); ++i) {
      int rc = params[i] ? sqlite3_bind_text(
                               s, static_cast<int>(i + 1), params[i]->data(),
                               static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                         : sqlite3_bind_null(s, static_cast<int>(i + 1));
      if (rc != SQLITE_OK) return fail(rc, "bind");
    }
    std::vector<row> rows;
    while (true) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return fail(rc, sql);
      }
      int n = sqlite3_column_count(s);
      row r;
      r.reserve(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(s, c) == SQLITE_NULL) {
          r.emplace_back(std::nullopt);
        } else {
          auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
          r.emplace_back(
              std::string{text, static_cast<size_t>(sqlite3_column_bytes(s, c))});
        }
      }
      rows.push_back(std::move(r));
    }
    sqlite3_reset(s);
    return rows;
  }

  int64_t changes() override { return sqlite3_changes64(db_); }

  caf::error begin_write(const std::vector<std::string>&) override {
    auto r = query("BEGIN IMMEDIATE", {});
    return r ? caf::error{} : r.error();
  }

  caf::error commit() override {
    auto r = query("COMMIT", {});
    return r ? caf::error{} : r.error();
  }

  void rollback() override {
    if (!sqlite3_get_autocommit(db_))
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  caf::expected<sqlite3_stmt*> prepare(std::string_view sql) {
    std::string key{sql};
    if (auto i = cache_.find(key); i != cache_.end()) return i->second;
    auto text = to_sqlite_placeholders(sql);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, text.c_str(), static_cast<int>(text.size()), &stmt,
                                nullptr);
    if (rc != SQLITE_OK) return fail(rc, sql);
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  caf::error fail(int rc, std::string_view what) {
    std::string msg = "sqlite: " + std::string{sqlite3_errmsg(db_)} + " (" +
                      sqlite3_errstr(rc) + ") in: " + std::string{what.substr(0, 120)};
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
      return make_error(errc::store_busy, std::move(msg));
    if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_FULL)
      return make_error(errc::store_unavailable, std::move(msg));
    return make_error(errc::store_failed, std::move(msg));
  }

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace

caf::expected<std::unique_ptr<connection>> open_sqlite(const std::string& path,
                                                       int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "sqlite: cannot open '" + path +
                      "': " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return make_error(errc::store_unavailable, std::move(msg));
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  auto conn = std::make_unique<sqlite_connection>(db);
  if (path != ":memory:") {
    auto wal = conn->query("PRAGMA journal_mode=WAL", {});
    if (!wal) return wal.error();
  }
  if (auto r = conn->query("PRAGMA synchronous=NORMAL", {}); !r) return r.error();
  return std::unique_ptr<connection>{std::move(conn)};
}

}  // namespace sv::adapters::sql
