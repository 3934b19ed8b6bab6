// run_system_query: the system tables in a private in-memory SQLite.

#include "adapters/system_query.hpp"

#include <sqlite3.h>

#include <cctype>
#include <cstring>
#include <memory>

#include "adapters/errc.hpp"

namespace sv::adapters {

namespace {

using core::sql::cell;
using core::sql::column_type;

struct db_closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct stmt_closer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using db_ptr = std::unique_ptr<sqlite3, db_closer>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_closer>;

caf::error refused(sqlite3* db, const std::string& what) {
  return make_error(errc::bad_query, what + sqlite3_errmsg(db));
}

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string{"\"\""} : std::string(1, c);
  return out + "\"";
}

void bind(sqlite3_stmt* s, int i, const cell& c) {
  if (const auto* v = std::get_if<int64_t>(&c))
    sqlite3_bind_int64(s, i, *v);
  else if (const auto* d = std::get_if<double>(&c))
    sqlite3_bind_double(s, i, *d);
  else if (const auto* t = std::get_if<std::string>(&c))
    sqlite3_bind_text(s, i, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, i);
}

caf::error load(sqlite3* db, const core::sql::table& t) {
  std::string ddl = "CREATE TABLE sys." + quoted(t.name) + " (";
  std::string insert = "INSERT INTO sys." + quoted(t.name) + " VALUES (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    ddl += (i ? ", " : "") + quoted(c.name) +
           (c.type == column_type::long_     ? " INTEGER"
            : c.type == column_type::double_ ? " REAL"
                                             : " TEXT");
    insert += i ? ", ?" : "?";
  }
  if (sqlite3_exec(db, (ddl + ")").c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return refused(db, "system table " + t.name + ": ");
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, (insert + ")").c_str(), -1, &raw, nullptr) != SQLITE_OK)
    return refused(db, "system table " + t.name + ": ");
  stmt_ptr ins{raw};
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i)
      bind(ins.get(), static_cast<int>(i + 1), row[i]);
    if (sqlite3_step(ins.get()) != SQLITE_DONE)
      return refused(db, "system table " + t.name + ": ");
    sqlite3_reset(ins.get());
  }
  return {};
}

// Reads only: SELECT and what a SELECT reads or calls. ATTACH, PRAGMA,
// writes and schema changes are refused.
int read_only(void*, int action, const char*, const char*, const char*, const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

column_type type_of(sqlite3_stmt* s, int i, const std::vector<core::sql::row>& rows) {
  if (const char* decl = sqlite3_column_decltype(s, i)) {
    std::string d = decl;
    if (d == "INTEGER") return column_type::long_;
    if (d == "REAL") return column_type::double_;
    return column_type::string;
  }
  // An expression: the kind of its first non-null value.
  for (const auto& r : rows) {
    const auto& c = r[static_cast<size_t>(i)];
    if (std::holds_alternative<int64_t>(c)) return column_type::long_;
    if (std::holds_alternative<double>(c)) return column_type::double_;
    if (std::holds_alternative<std::string>(c)) return column_type::string;
  }
  return column_type::string;
}

bool only_blanks(const char* tail) {
  // Whitespace, semicolons and comments may follow the one statement.
  for (const char* p = tail; *p;) {
    if (std::isspace(static_cast<unsigned char>(*p)) || *p == ';') {
      ++p;
    } else if (p[0] == '-' && p[1] == '-') {
      while (*p && *p != '\n') ++p;
    } else if (p[0] == '/' && p[1] == '*') {
      const char* end = std::strstr(p + 2, "*/");
      if (!end) return true;
      p = end + 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

caf::expected<core::sql::result_set> run_system_query(
    const std::vector<core::sql::table>& tables, const std::string& query,
    const std::vector<cell>& parameters, const query_limits& limits) {
  if (query.size() > static_cast<size_t>(limits.max_sql_bytes))
    return make_error(
        errc::query_limit,
        "the query is longer than " + std::to_string(limits.max_sql_bytes) + " bytes");
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    sqlite3_close_v2(raw);
    return make_error(errc::io_error, "cannot open an in-memory database");
  }
  db_ptr db{raw};
  if (sqlite3_exec(db.get(), "ATTACH ':memory:' AS sys", nullptr, nullptr, nullptr) !=
      SQLITE_OK)
    return refused(db.get(), "");
  for (const auto& t : tables)
    if (auto e = load(db.get(), t)) return e;
  sqlite3_limit(db.get(), SQLITE_LIMIT_SQL_LENGTH, limits.max_sql_bytes);
  sqlite3_limit(db.get(), SQLITE_LIMIT_EXPR_DEPTH, 200);
  sqlite3_limit(db.get(), SQLITE_LIMIT_COMPOUND_SELECT, 64);
  sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, 16 << 20);
  sqlite3_limit(db.get(), SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_set_authorizer(db.get(), read_only, nullptr);
  auto deadline = std::chrono::steady_clock::now() + limits.time;
  sqlite3_progress_handler(
      db.get(), 10000,
      [](void* d) -> int {
        return std::chrono::steady_clock::now() >
                       *static_cast<std::chrono::steady_clock::time_point*>(d)
                   ? 1
                   : 0;
      },
      &deadline);
  sqlite3_stmt* s_raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db.get(), query.c_str(), static_cast<int>(query.size()), &s_raw,
                         &tail) != SQLITE_OK)
    return refused(db.get(), "");
  stmt_ptr stmt{s_raw};
  if (!stmt) return make_error(errc::bad_query, "the query holds no statement");
  if (tail && !only_blanks(tail))
    return make_error(errc::bad_query, "only one statement may be given");
  if (!sqlite3_stmt_readonly(stmt.get()))
    return make_error(errc::bad_query, "only queries that read are allowed");
  int wanted = sqlite3_bind_parameter_count(stmt.get());
  if (wanted != static_cast<int>(parameters.size()))
    return make_error(errc::bad_query,
                      "the query has " + std::to_string(wanted) + " parameters and " +
                          std::to_string(parameters.size()) + " were given");
  for (size_t i = 0; i < parameters.size(); ++i)
    bind(stmt.get(), static_cast<int>(i + 1), parameters[i]);
  core::sql::result_set out;
  int n = sqlite3_column_count(stmt.get());
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (out.rows.size() >= limits.max_rows)
      return make_error(errc::query_limit, "the query returns more than " +
                                               std::to_string(limits.max_rows) +
                                               " rows; add a LIMIT");
    core::sql::row r;
    for (int i = 0; i < n; ++i) {
      switch (sqlite3_column_type(stmt.get(), i)) {
        case SQLITE_INTEGER:
          r.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt.get(), i)));
          break;
        case SQLITE_FLOAT:
          r.emplace_back(sqlite3_column_double(stmt.get(), i));
          break;
        case SQLITE_NULL:
          r.emplace_back();
          break;
        default: {
          const auto* t =
              reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), i));
          r.emplace_back(std::string{
              t ? t : "", static_cast<size_t>(sqlite3_column_bytes(stmt.get(), i))});
        }
      }
    }
    out.rows.push_back(std::move(r));
  }
  if (rc == SQLITE_INTERRUPT)
    return make_error(errc::query_limit, "the query ran longer than " +
                                             std::to_string(limits.time.count()) + " ms");
  if (rc != SQLITE_DONE) return refused(db.get(), "");
  for (int i = 0; i < n; ++i)
    out.columns.push_back(
        {sqlite3_column_name(stmt.get(), i), type_of(stmt.get(), i, out.rows)});
  return out;
}

}  // namespace sv::adapters
