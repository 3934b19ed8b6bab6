#include "adapters/sql/postgres_connection.hpp"

#include <cstring>

#include <libpq-fe.h>

#include "adapters/errc.hpp"

namespace sv::adapters::sql {

namespace {

// The store's connections: a client gone for about 15 s loses its session
// (and the row locks of a transaction it left open).
caf::error server_keepalives(PGconn* conn) {
  return set_server_keepalives(conn, 5, 2, 3, 15000);
}

class postgres_connection final : public connection {
 public:
  explicit postgres_connection(PGconn* conn) : conn_(conn) {}
  ~postgres_connection() override { PQfinish(conn_); }

  dialect kind() const override { return dialect::postgres; }

  caf::expected<std::vector<row>> query(std::string_view sql,
                                        const std::vector<value>& params) override {
    // A connection lost outside a transaction is re-established once.
    if (PQstatus(conn_) != CONNECTION_OK && !in_tx_) {
      PQreset(conn_);
      if (PQstatus(conn_) == CONNECTION_OK) (void)server_keepalives(conn_);
    }
    std::string text{sql};
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()),
                                 nullptr, values.data(), nullptr, nullptr, 0);
    auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      auto err = fail(res, sql);
      PQclear(res);
      return err;
    }
    changes_ = 0;
    if (const char* n = PQcmdTuples(res); n && *n)
      changes_ = std::strtoll(n, nullptr, 10);
    std::vector<row> rows;
    int nrows = PQntuples(res), ncols = PQnfields(res);
    rows.reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      row out;
      out.reserve(static_cast<size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c))
          out.emplace_back(std::nullopt);
        else
          out.emplace_back(std::string{PQgetvalue(res, r, c),
                                       static_cast<size_t>(PQgetlength(res, r, c))});
      }
      rows.push_back(std::move(out));
    }
    PQclear(res);
    return rows;
  }

  int64_t changes() override { return changes_; }

  caf::error begin_write(const std::vector<std::string>& lock_keys) override {
    if (auto r = query("BEGIN", {}); !r) return r.error();
    in_tx_ = true;
    for (const auto& key : lock_keys) {
      auto r =
          query("SELECT pg_advisory_xact_lock(hashtextextended($1, 20251122))", {key});
      if (!r) {
        rollback();
        return r.error();
      }
    }
    return {};
  }

  caf::error commit() override {
    auto r = query("COMMIT", {});
    in_tx_ = false;
    return r ? caf::error{} : r.error();
  }

  void rollback() override {
    if (PQstatus(conn_) == CONNECTION_OK) {
      PGresult* res = PQexec(conn_, "ROLLBACK");
      PQclear(res);
    }
    in_tx_ = false;
  }

 private:
  caf::error fail(PGresult* res, std::string_view sql) {
    std::string msg = "postgres: ";
    const char* text = res ? PQresultErrorMessage(res) : nullptr;
    msg += (text && *text) ? text : PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    msg += " in: " + std::string{sql.substr(0, 120)};
    if (PQstatus(conn_) != CONNECTION_OK)
      return make_error(errc::store_unavailable, std::move(msg));
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view sqlstate = state ? state : "";
    // 08xxx connection exceptions, 57P0x shutdown, 53xxx resources: retryable.
    if (sqlstate.starts_with("08") || sqlstate.starts_with("57P") ||
        sqlstate.starts_with("53"))
      return make_error(errc::store_unavailable, std::move(msg));
    // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03")
      return make_error(errc::store_busy, std::move(msg));
    return make_error(errc::store_failed, std::move(msg));
  }

  PGconn* conn_;
  int64_t changes_ = 0;
  bool in_tx_ = false;
};

}  // namespace

caf::error set_server_keepalives(void* pgconn, int idle_s, int interval_s, int count,
                                 int user_timeout_ms) {
  auto* conn = static_cast<PGconn*>(pgconn);
  auto sql = "SET tcp_keepalives_idle = " + std::to_string(idle_s) +
             "; SET tcp_keepalives_interval = " + std::to_string(interval_s) +
             "; SET tcp_keepalives_count = " + std::to_string(count) +
             "; SET tcp_user_timeout = " + std::to_string(user_timeout_ms);
  PGresult* res = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string msg = ok ? std::string{} : PQerrorMessage(conn);
  PQclear(res);
  if (ok) return {};
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return make_error(errc::store_unavailable, "postgres: setting keepalives: " + msg);
}

caf::expected<std::unique_ptr<connection>> open_postgres(const std::string& conninfo) {
  // keepalives let a leader notice a dead server (io-notes §2).
  const char* keys[] = {"dbname",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "connect_timeout",
                        nullptr};
  const char* vals[] = {conninfo.c_str(), "1", "5", "2", "3", "5", nullptr};
  PGconn* conn = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = "postgres: cannot connect: ";
    msg += conn ? PQerrorMessage(conn) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(conn);
    return make_error(errc::store_unavailable, std::move(msg));
  }
  if (auto err = server_keepalives(conn)) {
    PQfinish(conn);
    return err;
  }
  // Quiet NOTICEs ("relation already exists, skipping") on stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<connection>{std::make_unique<postgres_connection>(conn)};
}

}  // namespace sv::adapters::sql
