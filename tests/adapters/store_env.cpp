#include "tests/adapters/store_env.hpp"

#include <libpq-fe.h>

namespace sv::test {

void postgres_env::admin(const std::string& sql) const {
  PGconn* c = PQconnectdb(base.c_str());
  REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, PQerrorMessage(c));
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  auto ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string err = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE(ok, err);
}

}  // namespace sv::test
