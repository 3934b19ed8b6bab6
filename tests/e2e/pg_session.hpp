#pragma once
// A PostgreSQL session of the test itself, for fault injection against a
// node's metadata store: hold table locks, cut the node's connections.

#include <string>

#include <libpq-fe.h>

#include <doctest/doctest.h>

namespace sv::test {

class pg_session {
 public:
  explicit pg_session(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    REQUIRE_MESSAGE(PQstatus(c_) == CONNECTION_OK, PQerrorMessage(c_));
    PQsetNoticeProcessor(
        c_, [](void*, const char*) {}, nullptr);
  }
  ~pg_session() { PQfinish(c_); }
  pg_session(const pg_session&) = delete;
  pg_session& operator=(const pg_session&) = delete;

  /// Runs `sql`; returns the first column of the first row (or "").
  std::string exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    auto status = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    std::string out;
    if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    REQUIRE_MESSAGE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK), err);
    return out;
  }

  /// Closes every connection whose application_name is `app`; returns how many.
  int terminate(const std::string& app) {
    return std::stoi(
        exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
             "application_name = '" +
             app + "'"));
  }

 private:
  PGconn* c_;
};

}  // namespace sv::test
