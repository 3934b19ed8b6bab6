// The cluster's leader lock on a real PostgreSQL: one holder at a time, an
// epoch bumped by every new leader, a lost connection noticed as a lost lock.

#include <doctest/doctest.h>

#include <libpq-fe.h>

#include "adapters/errc.hpp"
#include "adapters/sql/leader_lock.hpp"
#include "adapters/sql/postgres_connection.hpp"
#include "tests/adapters/store_env.hpp"

using namespace sv;
using adapters::sql::leader_lock;

namespace {

struct lock_env {
  test::postgres_env pg;
  std::unique_ptr<adapters::metadata_store> store = test::open_store(pg);  // migrates
  std::string cluster = test::unique_name("cluster_");
  std::string conninfo = pg.uri().substr(std::string{"postgres:"}.size());

  std::unique_ptr<leader_lock> lock(const std::string& node) {
    auto l = adapters::sql::open_leader_lock(conninfo, cluster, cluster + node,
                                             node + ".example:8090");
    REQUIRE_MESSAGE(l, core::error_message(l.error()));
    return std::move(*l);
  }

  std::optional<adapters::sql::leader_record> leader() {
    auto conn = adapters::sql::open_postgres(conninfo);
    REQUIRE(conn);
    auto r = adapters::sql::read_leader(**conn, cluster);
    REQUIRE_MESSAGE(r, core::error_message(r.error()));
    return *r;
  }

  // Ends the server side of a node's lock connection, as a dropped network
  // or a restarted server would.
  int terminate(const std::string& node) {
    PGconn* c = PQconnectdb(pg.base.c_str());
    REQUIRE(PQstatus(c) == CONNECTION_OK);
    std::string app = "streamvisor-leader " + cluster + node;
    const char* v[] = {app.c_str()};
    PGresult* r = PQexecParams(c,
                               "SELECT count(pg_terminate_backend(pid)) FROM "
                               "pg_stat_activity WHERE application_name = $1",
                               1, nullptr, v, nullptr, nullptr, 0);
    int n = PQresultStatus(r) == PGRES_TUPLES_OK ? std::atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    PQfinish(c);
    return n;
  }
};

bool lost(const caf::error& e) {
  return adapters::is(e, adapters::errc::leadership_lost);
}

}  // namespace

TEST_CASE("leader lock: one holder; the epoch and address are recorded") {
  lock_env env;
  CHECK_FALSE(env.leader());
  auto a = env.lock("a");
  auto b = env.lock("b");
  auto ea = a->try_acquire();
  REQUIRE(ea);
  REQUIRE(*ea);
  CHECK(**ea == 1);
  auto eb = b->try_acquire();
  REQUIRE(eb);
  CHECK_FALSE(*eb);
  CHECK_FALSE(a->check());
  CHECK(lost(b->check()));
  // Asking again while leading keeps the epoch.
  auto again = a->try_acquire();
  REQUIRE(again);
  CHECK(*again == ea->value());
  auto rec = env.leader();
  REQUIRE(rec);
  CHECK(rec->node_id == env.cluster + "a");
  CHECK(rec->address == "a.example:8090");
  CHECK(rec->epoch == 1);
  CHECK_FALSE(rec->since.empty());
}

TEST_CASE(
    "leader lock: a leader whose connection is cut loses the lock; the next leader "
    "bumps the epoch") {
  lock_env env;
  auto a = env.lock("a");
  auto b = env.lock("b");
  REQUIRE(a->try_acquire());
  REQUIRE(env.terminate("a") == 1);
  CHECK(lost(a->check()));
  // The connection is not re-established behind its back: still not leader.
  auto retry = a->try_acquire();
  CHECK_FALSE(retry);
  auto eb = b->try_acquire();
  REQUIRE(eb);
  REQUIRE(*eb);
  CHECK(**eb == 2);
  CHECK_FALSE(b->check());
  auto rec = env.leader();
  REQUIRE(rec);
  CHECK(rec->node_id == env.cluster + "b");
  CHECK(rec->epoch == 2);
}

TEST_CASE("leader lock: released, taken by another; clusters are independent") {
  lock_env env;
  auto a = env.lock("a");
  auto b = env.lock("b");
  REQUIRE(a->try_acquire());
  a->release();
  CHECK(lost(a->check()));
  auto eb = b->try_acquire();
  REQUIRE(eb);
  REQUIRE(*eb);
  CHECK(**eb == 2);
  auto ea = a->try_acquire();
  REQUIRE(ea);
  CHECK_FALSE(*ea);
  // Another cluster on the same server has its own lock and epoch.
  lock_env other;
  auto c = other.lock("c");
  auto ec = c->try_acquire();
  REQUIRE(ec);
  REQUIRE(*ec);
  CHECK(**ec == 1);
}
