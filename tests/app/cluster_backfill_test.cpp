// Reset to latest and backfill on a cluster of real processes (two overlords,
// two workers): the supervisor reads slowly behind a backlog, the call jumps
// it to the latest offsets, and the bounded backfill supervisor's two tasks
// run on the two workers and ingest the skipped range. Every produced event
// is in the published segments exactly once.

#include "tests/app/cluster_harness.hpp"

using namespace sv;
using namespace sv::test::cluster;

namespace {

constexpr int partitions = 4;

}  // namespace

TEST_CASE(
    "cluster: reset to latest and backfill with the backfill's tasks on two workers; "
    "every event published exactly once") {
  environment env{"sv_cluster_backfill", partitions};
  std::vector<node> overlords, workers;
  for (int i = 0; i < 2; ++i)
    overlords.push_back(
        env.start("overlord" + std::to_string(i), {"--role", "overlord"}));
  for (int i = 0; i < 2; ++i)
    workers.push_back(env.start("worker" + std::to_string(i),
                                {"--role", "worker", "--worker-capacity", "3"}));
  INFO(logs_of({&overlords, &workers}));
  const node* leader = nullptr;
  auto deadline = clock_type::now() + 30s;
  while (!leader) {
    for (const auto& o : overlords)
      if (o.leads()) leader = &o;
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  // Both workers connected before anything is placed.
  for (const auto& w : workers)
    REQUIRE(leader->log_shows("worker worker@" + w.address() + " connected", 30s));

  // Reading from the latest offsets (resetToLatest needs useEarliestOffset false).
  events ev{env.kafka, partitions, "backfill"};
  auto created = leader->api().Post("/druid/indexer/v1/supervisor",
                                    spec("cl", env.kafka, R"("useEarliestOffset":false)",
                                         R"("context":{"useConcurrentLocks":true})",
                                         R"("max.partition.fetch.bytes":"1")"),
                                    "application/json");
  REQUIRE(created);
  REQUIRE_MESSAGE(created->status == 200, created->body);
  auto store = adapters::open_metadata_store(env.metadata);
  REQUIRE(store);
  auto running_with_tasks = [&] {
    deadline = clock_type::now() + 60s;
    while (detailed_state(*leader, "cl") != "RUNNING" ||
           active_tasks(*leader, "cl").size() < 2) {
      REQUIRE(clock_type::now() < deadline);
      std::this_thread::sleep_for(100ms);
    }
  };
  running_with_tasks();
  ev.produce(2000);
  // Suspended, the groups publish what they read; a backlog builds up.
  REQUIRE(leader->api().Post("/druid/indexer/v1/supervisor/cl/suspend", "", "")->status ==
          200);
  deadline = clock_type::now() + 60s;
  while (committed_sum(**store, "cl") != ev.total()) {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "committed " << committed_sum(**store, "cl") << " of " << ev.total());
    std::this_thread::sleep_for(200ms);
  }
  ev.produce(20000);
  // Resumed, it reads the backlog slowly (one small batch per fetch, 200 ms
  // round trips) and is behind when the call comes.
  env.broker_rtt(200);
  REQUIRE(leader->api().Post("/druid/indexer/v1/supervisor/cl/resume", "", "")->status ==
          200);
  running_with_tasks();

  auto reply = leader->api().Post(
      "/druid/indexer/v1/supervisor/cl/resetToLatestAndBackfill?backfillTaskCount=2", "",
      "application/json");
  env.broker_rtt(0);
  REQUIRE(reply);
  REQUIRE_MESSAGE(reply->status == 200, reply->body);
  auto j = core::json::parse(reply->body);
  REQUIRE(j);
  auto backfill = j->find("backfillSupervisorId")->as_string();
  auto start = *core::offset_map_from_json(*j->find("startOffsets"));
  auto end = *core::offset_map_from_json(*j->find("endOffsets"));
  int64_t skipped = 0;
  for (const auto& [p, s] : start) skipped += end.at(p) - s;
  MESSAGE("the backfill " << backfill << " covers " << skipped << " events");
  CHECK(skipped > 0);
  // The main supervisor goes on from the latest offsets.
  ev.produce(4000);

  deadline = clock_type::now() + 120s;
  while (detailed_state(*leader, backfill) != "COMPLETED") {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "backfill state " << detailed_state(*leader, backfill));
    std::this_thread::sleep_for(200ms);
  }
  auto backfill_row = (*store)->committed_offsets(backfill);
  REQUIRE(backfill_row);
  REQUIRE(backfill_row->has_value());
  for (const auto& [p, s] : start)
    if (s < end.at(p)) CHECK((*backfill_row)->offsets.at(p) == end.at(p));

  // The backfill's tasks ran on both workers.
  core::task_filter f;
  f.supervisor_id = backfill;
  auto rows = (*store)->tasks(f);
  REQUIRE(rows);
  std::set<std::string> where;
  for (const auto& t : *rows) where.insert(t.location);
  CHECK(where == std::set<std::string>{workers[0].address(), workers[1].address()});

  deadline = clock_type::now() + 120s;
  while (committed_sum(**store, "cl") != ev.total()) {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "committed " << committed_sum(**store, "cl") << " of " << ev.total());
    handoff(*leader, "cl");
    std::this_thread::sleep_for(1s);
  }
  auto row = (*store)->committed_offsets("cl");
  REQUIRE(row);
  CHECK((*row)->offsets == ev.end_offsets());
  check_exactly_once(**store, "cl", ev);

  store->reset();
  for (auto* group : {&overlords, &workers})
    for (auto& n : *group) n.proc->stop();
}
