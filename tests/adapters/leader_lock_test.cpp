// The cluster's leader lock on a real PostgreSQL: one holder at a time, an
// epoch bumped by every new leader, a lost connection noticed as a lost lock.

#include <doctest/doctest.h>

#include <algorithm>

#include <libpq-fe.h>

#include "adapters/errc.hpp"
#include "adapters/sql/leader_lock.hpp"
#include "adapters/sql/leader_log_rows.hpp"
#include "adapters/sql/node_registry.hpp"
#include "adapters/sql/postgres_connection.hpp"
#include "core/time.hpp"
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

TEST_CASE(
    "leader fence: a former leader's writes are refused and change nothing; publishes "
    "are not leader writes") {
  lock_env env;
  auto a = env.lock("a");
  auto b = env.lock("b");
  auto ea = a->try_acquire();
  REQUIRE(ea);
  REQUIRE(*ea);
  auto old_store = test::open_store(env.pg);
  old_store->fence_leader_writes(adapters::leader_fence{env.cluster, **ea});
  REQUIRE(old_store->append_spec("s1", core::json::parse(R"({"v":1})").value()));

  // b takes over while a is paused: a's session is gone, b bumps the epoch.
  REQUIRE(env.terminate("a") == 1);
  auto eb = b->try_acquire();
  REQUIRE(eb);
  REQUIRE(*eb);
  auto stale = old_store->append_spec("s1", core::json::parse(R"({"v":2})").value());
  REQUIRE_FALSE(stale);
  CHECK(adapters::is(stale.error(), adapters::errc::leadership_lost));
  CHECK(core::error_message(stale.error()).find("refused a leader write") !=
        std::string::npos);
  core::committed_offsets row{"kafka", "t", {{"0", 5}}, std::nullopt, {}};
  CHECK(
      adapters::is(old_store->reset_offsets("s1", row), adapters::errc::leadership_lost));
  auto del = old_store->delete_offsets("s1");
  REQUIRE_FALSE(del);
  core::audit_record audit;
  audit.key = "s1";
  audit.type = "t";
  CHECK_FALSE(old_store->append_audit(audit));
  auto edit = old_store->edit_offsets("s1", "kafka", "t", {{"0", 7}}, {});
  CHECK_FALSE(edit);
  core::locks::lock_request lock{"wiki", "index_kafka_s1", "t1", {}, {}};
  CHECK(adapters::is(old_store->persist_lock(lock), adapters::errc::leadership_lost));
  CHECK(adapters::is(old_store->drop_locks("t0"), adapters::errc::leadership_lost));

  // Nothing of it reached the store; the new leader writes.
  auto new_store = test::open_store(env.pg);
  new_store->fence_leader_writes(adapters::leader_fence{env.cluster, **eb});
  auto history = new_store->spec_history("s1", std::nullopt);
  REQUIRE(history);
  REQUIRE(history->size() == 1);
  CHECK(history->front().payload == core::json::parse(R"({"v":1})").value());
  auto offsets = new_store->committed_offsets("s1");
  REQUIRE(offsets);
  CHECK_FALSE(*offsets);
  REQUIRE(new_store->append_spec("s1", core::json::parse(R"({"v":3})").value()));
  REQUIRE_FALSE(new_store->reset_offsets("s1", row));
  auto locks = new_store->task_locks();
  REQUIRE(locks);
  CHECK(std::none_of(locks->begin(), locks->end(),
                     [](const auto& l) { return l.task_id == "t1"; }));

  // A task's publish from the old leader's side still goes through the CAS.
  core::publish_request req;
  req.supervisor_id = "s1";
  req.type = "kafka";
  req.stream = "t";
  req.start = {{"0", 5}};
  req.end = {{"0", 9}};
  req.commit_as = req.end;
  auto pub = old_store->publish(req);
  REQUIRE_MESSAGE(pub, core::error_message(pub.error()));
  CHECK(pub->outcome == core::publish_outcome::committed);

  // The leader log: both elections and the writes each epoch made, none of
  // the refused ones; clean. A write planted under the old epoch is caught.
  auto log = new_store->leader_log(env.cluster);
  REQUIRE_MESSAGE(log, core::error_message(log.error()));
  std::vector<std::string> seen;
  for (const auto& r : *log) seen.push_back(r.kind + "@" + std::to_string(r.epoch));
  auto ea_s = std::to_string(**ea), eb_s = std::to_string(**eb);
  CHECK(seen == std::vector<std::string>{"elected@" + ea_s, "spec@" + ea_s,
                                         "elected@" + eb_s, "spec@" + eb_s,
                                         "offsets reset@" + eb_s});
  CHECK(core::verify::check_leader_log(*log).count == 0);
  auto conn = adapters::sql::open_postgres(env.conninfo);
  REQUIRE(conn);
  REQUIRE_FALSE(adapters::sql::insert_leader_log(**conn, env.cluster, **ea, "audit"));
  log = new_store->leader_log(env.cluster);
  REQUIRE(log);
  auto v = core::verify::check_leader_log(*log);
  CHECK(v.count == 1);
  REQUIRE(v.first.size() == 1);
  CHECK(v.first[0].find("a leader write (audit) by epoch " + ea_s + " while epoch " +
                        eb_s + " led") == 0);
}

TEST_CASE("node registry: heartbeats keep a row fresh; stale and departed nodes vanish") {
  lock_env env;
  auto reg = adapters::sql::open_node_registry(env.conninfo, env.cluster);
  REQUIRE_MESSAGE(reg, core::error_message(reg.error()));
  auto& r = **reg;
  adapters::sql::node_record w{
      "w1", "worker", "h1:8091", "h1:7001", 4, "1.0", "2026-01-01T00:00:00.000Z", "", 0};
  auto o = w;
  o.id = "o1";
  o.role = "overlord";
  o.capacity = 0;
  REQUIRE_FALSE(r.heartbeat(w));
  REQUIRE_FALSE(r.heartbeat(o));
  w.capacity = 6;  // a row is rewritten, not duplicated
  REQUIRE_FALSE(r.heartbeat(w));
  auto live = r.live_nodes(std::chrono::seconds{5});
  REQUIRE(live);
  REQUIRE(live->size() == 2);
  CHECK(live->at(0).id == "o1");
  CHECK(live->at(1).id == "w1");
  CHECK(live->at(1).capacity == 6);
  CHECK(live->at(1).cluster_address == "h1:7001");
  CHECK(live->at(1).age_ms >= 0);
  CHECK(live->at(1).age_ms < 5000);
  CHECK(live->at(1).last_seen.size() == 24);

  // Another cluster's registry does not see them.
  auto other = adapters::sql::open_node_registry(env.conninfo, env.cluster + "x");
  REQUIRE(other);
  auto none = (*other)->live_nodes(std::chrono::seconds{5});
  REQUIRE(none);
  CHECK(none->empty());

  // A heartbeat older than the bound does not count (server clock).
  auto aged = r.live_nodes(std::chrono::milliseconds{0});
  REQUIRE(aged);
  CHECK(aged->empty());

  REQUIRE_FALSE(r.leave("w1"));
  auto after = r.live_nodes(std::chrono::seconds{5});
  REQUIRE(after);
  REQUIRE(after->size() == 1);
  CHECK(after->front().id == "o1");
}

TEST_CASE("leader lock: a stale holder's session is ended so another node can lead") {
  lock_env env;
  auto a = env.lock("a");
  auto b = env.lock("b");
  REQUIRE(a->try_acquire());
  auto none = b->evict_holder();  // b holds nothing of its own to keep
  REQUIRE(none);
  CHECK(*none);
  CHECK(lost(a->check()));
  auto eb = b->try_acquire();
  REQUIRE(eb);
  REQUIRE(*eb);
  CHECK(**eb == 2);
  // Nobody else holds it now: nothing to end, and b keeps leading.
  auto again = b->evict_holder();
  REQUIRE(again);
  CHECK_FALSE(*again);
  CHECK_FALSE(b->check());
}

TEST_CASE("the server's end of the store's connections probes a silent client") {
  // A node cut off mid-transaction must not hold its row locks for the
  // kernel's two hours: the server's keepalives end its session.
  lock_env env;
  auto conn = adapters::sql::open_postgres(env.conninfo);
  REQUIRE(conn);
  auto show = [&](const std::string& name) {
    auto rows = (*conn)->query("SHOW " + name, {});
    REQUIRE_MESSAGE(rows, core::error_message(rows.error()));
    return (*rows)[0][0].value_or("");
  };
  CHECK(show("tcp_keepalives_idle") == "5");
  CHECK(show("tcp_keepalives_interval") == "2");
  CHECK(show("tcp_keepalives_count") == "3");
  CHECK(show("tcp_user_timeout") == "15000");

  // The lock's connection takes tighter values through the same call.
  PGconn* raw = PQconnectdb(env.pg.base.c_str());
  REQUIRE(PQstatus(raw) == CONNECTION_OK);
  REQUIRE_FALSE(adapters::sql::set_server_keepalives(raw, 2, 1, 3, 5000));
  PGresult* r = PQexec(raw,
                       "SELECT current_setting('tcp_keepalives_idle'), "
                       "current_setting('tcp_user_timeout')");
  REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
  CHECK(std::string{PQgetvalue(r, 0, 0)} == "2");
  CHECK(std::string{PQgetvalue(r, 0, 1)} == "5000");
  PQclear(r);
  PQfinish(raw);
}

TEST_CASE("leader log: an election drops the cluster's rows older than a week") {
  lock_env env;
  PGconn* raw = PQconnectdb(env.conninfo.c_str());
  REQUIRE(PQstatus(raw) == CONNECTION_OK);
  auto insert = [&](const std::string& at) {
    const char* v[] = {env.cluster.c_str(), at.c_str()};
    PGresult* r = PQexecParams(raw,
                               "INSERT INTO leader_log (cluster, epoch, kind, at) "
                               "VALUES ($1, 1, 'audit', $2)",
                               2, nullptr, v, nullptr, nullptr, 0);
    REQUIRE(PQresultStatus(r) == PGRES_COMMAND_OK);
    PQclear(r);
  };
  insert("2020-01-01T00:00:00.000Z");
  insert(core::format_utc_time(core::utc_now() - std::chrono::hours{24}));
  PQfinish(raw);
  auto a = env.lock("a");
  auto e = a->try_acquire();
  REQUIRE(e);
  REQUIRE(*e);
  auto log = env.store->leader_log(env.cluster);
  REQUIRE(log);
  REQUIRE(log->size() == 2);  // yesterday's row and the election
  CHECK(log->at(0).at != "2020-01-01T00:00:00.000Z");
  CHECK(log->at(1).kind == "elected");
}
