// A cluster of real processes on one PostgreSQL: kafka-dev, two overlords and
// two workers. Exactly one overlord leads and the other redirects; kill -9 of
// the leader hands leadership to the other within seconds and ingestion goes
// on with the same tasks, adopted by the new leader; kill -9 of a worker moves its groups
// to the other worker from the committed offsets. Every produced event id is read back
// from the published segments exactly once.

#include "tests/app/cluster_harness.hpp"

using namespace sv;
using namespace sv::test::cluster;

namespace {

constexpr int partitions = 4;

}  // namespace

TEST_CASE(
    "cluster: one leader, redirects; leader kill -9, leader SIGSTOP and worker kill -9 "
    "while events flow; tasks adopted, every event published exactly once") {
  environment env{"sv_cluster", partitions};
  std::vector<node> overlords(2), workers(2);
  for (int i = 0; i < 2; ++i) {
    overlords[i].name = "overlord" + std::to_string(i);
    overlords[i].dir = env.root / overlords[i].name;
    overlords[i].start(env.with({"--role", "overlord"}));
    workers[i].name = "worker" + std::to_string(i);
    workers[i].dir = env.root / workers[i].name;
    workers[i].start(env.with({"--role", "worker", "--worker-capacity", "4"}));
  }
  INFO(logs_of({&overlords, &workers}));

  // Exactly one leader; the other redirects its API there.
  auto leader_index = [&]() -> int {
    auto deadline = clock_type::now() + 30s;
    while (clock_type::now() < deadline) {
      int found = -1, count = 0;
      for (int i = 0; i < 2; ++i)
        if (overlords[i].proc && overlords[i].leads()) found = i, ++count;
      if (count == 1) return found;
      REQUIRE(count <= 1);
      std::this_thread::sleep_for(100ms);
    }
    FAIL("no overlord leads");
    return -1;
  };
  int leader = leader_index();
  int standby = 1 - leader;
  auto redirected = overlords[standby].api().Get("/druid/indexer/v1/supervisor");
  REQUIRE(redirected);
  CHECK(redirected->status == 307);
  CHECK(redirected->get_header_value("Location") ==
        "http://127.0.0.1:" + std::to_string(overlords[leader].port) +
            "/druid/indexer/v1/supervisor");
  auto said = overlords[standby].api().Get("/druid/indexer/v1/leader");
  REQUIRE(said);
  CHECK(said->body == "http://127.0.0.1:" + std::to_string(overlords[leader].port));
  // Both workers are registered with the leader.
  auto deadline = clock_type::now() + 20s;
  while (true) {
    auto w = overlords[leader].api().Get("/druid/indexer/v1/workers");
    REQUIRE(w);
    if (w->status == 200 && core::json::parse(w->body)->as_array().size() == 2) break;
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }

  auto created = overlords[leader].api().Post("/druid/indexer/v1/supervisor",
                                              spec("cl", env.kafka), "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 200);

  events ev{env.kafka, partitions, "cluster"};
  auto produce = [&](int n) { ev.produce(n); };
  auto store = adapters::open_metadata_store(env.metadata);
  REQUIRE(store);
  auto committed = [&] { return committed_sum(**store, "cl"); };

  auto reading = [&](int at) { return reading_tasks(overlords[at], "cl"); };
  auto handoff_all = [&](int at) { handoff(overlords[at], "cl"); };

  // Ingesting on the workers (taskDuration is an hour: nothing rolls over).
  produce(4000);
  std::set<std::string> before;
  deadline = clock_type::now() + 60s;
  while ((before = reading(leader)).size() < 2) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }

  // The reading tasks hold their time-chunk locks in the leader's lockbox.
  deadline = clock_type::now() + 20s;
  for (std::set<std::string> holders;
       !std::includes((holders = lock_holders(overlords[leader])).begin(), holders.end(),
                      before.begin(), before.end());) {
    REQUIRE_MESSAGE(
        clock_type::now() < deadline,
        "locks: " << overlords[leader].api().Get("/druid/indexer/v1/locks")->body);
    std::this_thread::sleep_for(100ms);
  }

  // The leader dies while events flow; the standby leads within seconds and
  // adopts the running tasks: the same ids, none restarted.
  produce(2000);
  auto killed = clock_type::now();
  overlords[leader].kill9();
  overlords[leader].proc.reset();
  leader = leader_index();
  CHECK(leader == standby);
  auto led = std::chrono::duration<double>(clock_type::now() - killed);
  std::set<std::string> after;
  deadline = clock_type::now() + 20s;
  while ((after = reading(leader)) != before && clock_type::now() < deadline)
    std::this_thread::sleep_for(50ms);
  auto adopted = std::chrono::duration<double>(clock_type::now() - killed);
  CHECK(after == before);
  MESSAGE("after the leader's kill -9 the standby led in "
          << led.count() << " s and showed the same running tasks after "
          << adopted.count() << " s");
  CHECK(led < 10s);
  // The new leader's lockbox started from the locks the old one kept, and
  // the adopted tasks claimed them: the same holders.
  {
    auto l = overlords[leader].log();
    CHECK_MESSAGE(l.find("lockbox: restored") != std::string::npos, l);
    std::set<std::string> holders;
    deadline = clock_type::now() + 10s;
    while (!std::includes((holders = lock_holders(overlords[leader])).begin(),
                          holders.end(), before.begin(), before.end()) &&
           clock_type::now() < deadline)
      std::this_thread::sleep_for(50ms);
    CHECK(std::includes(holders.begin(), holders.end(), before.begin(), before.end()));
    CHECK(l.find("released the locks of task") == std::string::npos);
  }
  produce(2000);
  // They are the new leader's now: a handoff publishes what they read.
  deadline = clock_type::now() + 60s;
  while (committed() == 0) {
    REQUIRE(clock_type::now() < deadline);
    handoff_all(leader);
    std::this_thread::sleep_for(500ms);
  }
  {
    core::task_filter f;
    f.supervisor_id = "cl";
    auto rows = (*store)->tasks(f);
    REQUIRE(rows);
    for (const auto& t : *rows)
      if (before.count(t.id)) CHECK_MESSAGE(t.status != "FAILED", t.id);
  }

  // The old leader comes back as the standby; the leader is paused (SIGSTOP
  // keeps its sockets open: only its missing heartbeats tell). The standby
  // ends its lock session and leads; woken up, the paused one steps down.
  int paused = leader;
  standby = 1 - leader;
  overlords[standby].start(env.with({"--role", "overlord"}));
  deadline = clock_type::now() + 30s;
  while ((before = reading(paused)).size() < 2) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  ::kill(overlords[paused].proc->pid, SIGSTOP);
  auto stopped = clock_type::now();
  produce(1000);
  deadline = clock_type::now() + 30s;
  while (!overlords[standby].leads()) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(50ms);
  }
  auto took_over = std::chrono::duration<double>(clock_type::now() - stopped);
  deadline = clock_type::now() + 20s;
  while ((after = reading(standby)) != before && clock_type::now() < deadline)
    std::this_thread::sleep_for(50ms);
  CHECK(after == before);
  MESSAGE("with the leader paused, the standby led after "
          << took_over.count() << " s (heartbeat timeout 2 s)");
  ::kill(overlords[paused].proc->pid, SIGCONT);
  deadline = clock_type::now() + 20s;
  while (overlords[paused].log().find("no longer leads") == std::string::npos) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  // It learnt it from its lock check, and its API now sends writes to the leader.
  {
    auto l = overlords[paused].log();
    auto at = l.find("no longer leads");
    auto line = l.substr(at, l.find('\n', at) - at);
    CHECK_MESSAGE(
        line.find("lost the leader lock of cluster 'test'") != std::string::npos, line);
    auto want = "http://127.0.0.1:" + std::to_string(overlords[standby].port) +
                "/druid/indexer/v1/supervisor/cl/suspend";
    std::string location;
    deadline = clock_type::now() + 10s;
    while (location != want && clock_type::now() < deadline) {
      auto write = overlords[paused].api().Post("/druid/indexer/v1/supervisor/cl/suspend",
                                                "", "application/json");
      REQUIRE(write);
      // Never served by itself, never sent to itself.
      REQUIRE_MESSAGE((write->status == 307 || write->status == 503), write->status);
      location = write->get_header_value("Location");
      CHECK(location.find(":" + std::to_string(overlords[paused].port) + "/") ==
            std::string::npos);
      std::this_thread::sleep_for(50ms);
    }
    CHECK(location == want);
  }
  CHECK_FALSE(overlords[paused].leads());
  CHECK(overlords[standby].leads());
  leader = standby;
  produce(1000);

  // A worker dies while events flow; its groups go on on the other one.
  before = {};
  deadline = clock_type::now() + 60s;
  while ((before = reading(leader)).size() < 2) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  produce(2000);
  workers[0].kill9();
  produce(2000);

  auto total = ev.total();
  deadline = clock_type::now() + 120s;
  while (committed() != total) {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "committed " << committed() << " of " << total);
    handoff_all(leader);
    std::this_thread::sleep_for(1s);
  }
  auto row = (*store)->committed_offsets("cl");
  REQUIRE(row);
  CHECK((*row)->offsets == ev.end_offsets());

  check_exactly_once(**store, "cl", ev);

  for (auto* group : {&overlords, &workers})
    for (auto& n : *group)
      if (n.proc) n.proc->stop();
  store->reset();
}
