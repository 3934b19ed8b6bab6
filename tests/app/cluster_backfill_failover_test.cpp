// A reset to latest and backfill cut short by the leader's kill -9, on a
// cluster of real processes (two overlords, two workers):
// (1) the leader dies while the reset's transaction waits (the test holds the
//     advisory lock that transaction needs): nothing was committed, so the
//     reset is undone — no backfill supervisor, no jump, no audit row; the
//     new leader adopts the paused tasks and resumes them;
// (2) the leader dies right after answering 200: the reset completes — the
//     backfill supervisor runs on the new leader and ingests the skipped
//     range, the main supervisor goes on from the latest offsets.
// Every produced event is in the published segments exactly once.

#include <future>

#include "tests/app/cluster_harness.hpp"

using namespace sv;
using namespace sv::test::cluster;

namespace {

constexpr int partitions = 4;

// One SQL statement on `conn`; the first cell of its first row ("" if none).
std::string sql(PGconn* conn, const std::string& text) {
  PGresult* r = PQexec(conn, text.c_str());
  auto status = PQresultStatus(r);
  std::string out;
  if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
  std::string err = PQerrorMessage(conn);
  PQclear(r);
  REQUIRE_MESSAGE(ok, text << ": " << err);
  return out;
}

int leader_of(const std::vector<node>& overlords) {
  auto deadline = clock_type::now() + 30s;
  while (clock_type::now() < deadline) {
    for (size_t i = 0; i < overlords.size(); ++i)
      if (overlords[i].proc && overlords[i].leads()) return static_cast<int>(i);
    std::this_thread::sleep_for(50ms);
  }
  FAIL("no overlord leads");
  return -1;
}

}  // namespace

TEST_CASE(
    "cluster: a reset and backfill cut short by the leader's kill -9 is undone before "
    "its transaction and completed after it; every event published exactly once") {
  environment env{"sv_cluster_bf_failover", partitions};
  std::vector<node> overlords, workers;
  for (int i = 0; i < 2; ++i)
    overlords.push_back(
        env.start("overlord" + std::to_string(i), {"--role", "overlord"}));
  for (int i = 0; i < 2; ++i)
    workers.push_back(env.start("worker" + std::to_string(i),
                                {"--role", "worker", "--worker-capacity", "4"}));
  INFO(logs_of({&overlords, &workers}));
  int leader = leader_of(overlords);
  for (const auto& w : workers)
    REQUIRE(
        overlords[leader].log_shows("worker worker@" + w.address() + " connected", 30s));

  events ev{env.kafka, partitions, "bffail"};
  auto created =
      overlords[leader].api().Post("/druid/indexer/v1/supervisor",
                                   spec("cl", env.kafka, R"("useEarliestOffset":false)",
                                        R"("context":{"useConcurrentLocks":true})"),
                                   "application/json");
  REQUIRE(created);
  REQUIRE_MESSAGE(created->status == 200, created->body);
  auto store = adapters::open_metadata_store(env.metadata);
  REQUIRE(store);
  auto reading_all = [&](int at) {
    std::set<std::string> ids;
    auto deadline = clock_type::now() + 60s;
    while ((ids = reading_tasks(overlords[at], "cl")).size() < 2) {
      REQUIRE(clock_type::now() < deadline);
      std::this_thread::sleep_for(100ms);
    }
    return ids;
  };
  ev.produce(2000);
  auto before = reading_all(leader);

  // (1) The reset's transaction waits for the advisory lock this session
  // holds (the key every write of the supervisor's offsets row takes).
  PGconn* blocker =
      PQconnectdb(env.metadata.substr(std::string{"postgres:"}.size()).c_str());
  REQUIRE(PQstatus(blocker) == CONNECTION_OK);
  PGconn* watcher =
      PQconnectdb(env.metadata.substr(std::string{"postgres:"}.size()).c_str());
  REQUIRE(PQstatus(watcher) == CONNECTION_OK);
  sql(blocker, "BEGIN");
  sql(blocker, "SELECT pg_advisory_xact_lock(hashtextextended('publish:cl', 20251122))");
  auto call = std::async(std::launch::async, [&leading = overlords[leader]] {
    auto c = leading.api();
    c.set_read_timeout(60, 0);
    auto r = c.Post("/druid/indexer/v1/supervisor/cl/resetToLatestAndBackfill", "",
                    "application/json");
    return r ? r->status : -1;
  });
  auto deadline = clock_type::now() + 30s;
  while (
      sql(watcher,
          "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") ==
      "0") {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "the reset never reached its transaction");
    std::this_thread::sleep_for(20ms);
  }
  int old = leader;
  overlords[old].kill9();
  overlords[old].proc.reset();
  sql(blocker, "ROLLBACK");
  CHECK(call.get() != 200);  // the caller saw the connection go, not a 200
  leader = leader_of(overlords);
  REQUIRE(leader != old);
  // The paused tasks are adopted and resumed: the same ids read on.
  ev.produce(2000);
  std::set<std::string> after;
  deadline = clock_type::now() + 30s;
  while ((after = reading_tasks(overlords[leader], "cl")) != before &&
         clock_type::now() < deadline)
    std::this_thread::sleep_for(100ms);
  CHECK(after == before);
  CHECK(overlords[leader].log_shows("adopted 2 reading", 10s));
  // Undone: only the supervisor itself, no jump in its row, no audit row.
  {
    auto list = overlords[leader].api().Get("/druid/indexer/v1/supervisor");
    REQUIRE(list);
    CHECK(list->body == R"(["cl"])");
    auto row = (*store)->committed_offsets("cl");
    REQUIRE(row);
    if (*row) CHECK((*row)->jump.empty());
    auto audit = (*store)->audit(std::string{"cl"}, std::nullopt);
    REQUIRE(audit);
    for (const auto& a : *audit) CHECK(a.type != "supervisor.resetToLatestAndBackfill");
  }
  PQfinish(blocker);
  PQfinish(watcher);

  // (2) The old leader is back as the standby. With the groups behind a
  // backlog, the reset answers 200 and its leader dies at once.
  overlords[old].start(env.with({"--role", "overlord"}));
  REQUIRE(overlords[leader].log_shows("connected", 10s));
  env.broker_rtt(200);
  ev.produce(20000);
  auto reply = overlords[leader].api().Post(
      "/druid/indexer/v1/supervisor/cl/resetToLatestAndBackfill?backfillTaskCount=2", "",
      "application/json");
  REQUIRE(reply);
  REQUIRE_MESSAGE(reply->status == 200, reply->body);
  overlords[leader].kill9();
  overlords[leader].proc.reset();
  env.broker_rtt(0);
  auto j = core::json::parse(reply->body);
  REQUIRE(j);
  auto backfill = j->find("backfillSupervisorId")->as_string();
  auto start = *core::offset_map_from_json(*j->find("startOffsets"));
  auto end = *core::offset_map_from_json(*j->find("endOffsets"));
  int64_t skipped = 0;
  for (const auto& [p, s] : start) skipped += end.at(p) - s;
  MESSAGE("the backfill " << backfill << " covers " << skipped << " events");
  CHECK(skipped > 0);
  leader = leader_of(overlords);
  REQUIRE(leader == old);
  ev.produce(2000);

  deadline = clock_type::now() + 120s;
  while (detailed_state(overlords[leader], backfill) != "COMPLETED") {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "backfill state " << detailed_state(overlords[leader], backfill));
    std::this_thread::sleep_for(200ms);
  }
  deadline = clock_type::now() + 120s;
  while (committed_sum(**store, "cl") != ev.total()) {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "committed " << committed_sum(**store, "cl") << " of " << ev.total());
    handoff(overlords[leader], "cl");
    std::this_thread::sleep_for(1s);
  }
  auto row = (*store)->committed_offsets("cl");
  REQUIRE(row);
  CHECK((*row)->offsets == ev.end_offsets());
  CHECK((*row)->jump.empty());
  check_exactly_once(**store, "cl", ev);
  // The backfill's own row reached the end of its range.
  auto backfill_row = (*store)->committed_offsets(backfill);
  REQUIRE(backfill_row);
  REQUIRE(backfill_row->has_value());
  for (const auto& [p, s] : start)
    if (s < end.at(p)) CHECK((*backfill_row)->offsets.at(p) == end.at(p));

  store->reset();
  for (auto* group : {&overlords, &workers})
    for (auto& n : *group)
      if (n.proc) n.proc->stop();
}
