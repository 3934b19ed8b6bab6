// Reset to latest and backfill on a real node, end to end: a supervisor that
// fell behind jumps to the latest offsets while events keep arriving; a
// bounded backfill supervisor ingests the skipped range. Every produced event
// is in the segments exactly once — with replicas, with the sealed tasks
// killed while they publish, with the store cut off during the call — and a
// range lost to retention is reported exactly.

#include <doctest/doctest.h>

#include "tests/e2e/e2e_fixture.hpp"
#include "tests/e2e/pg_session.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::json;

namespace {

const std::string concurrent = R"("context":{"useConcurrentLocks":true})";
const std::string streaming = R"("useEarliestOffset":false)";
const std::string slow_fetch =
    R"("consumerProperties":{"bootstrap.servers":"embedded","fetch.wait.max.ms":"10",
        "max.partition.fetch.bytes":"1"})";

struct backfill_run {
  std::string backfill_id;
  core::offset_map start;  // P
  core::offset_map end;    // L
  double seconds_to_latest = -1;
};

backfill_run from_reply(const test::e2e_fixture& f, const json& j) {
  CHECK(j.find("id")->as_string() == f.id);
  backfill_run run;
  run.backfill_id = j.find("backfillSupervisorId")->as_string();
  run.start = *core::offset_map_from_json(*j.find("startOffsets"));
  run.end = *core::offset_map_from_json(*j.find("endOffsets"));
  return run;
}

// How soon after the reply every active task of the main supervisor reads
// from L or later.
void measure_time_to_latest(test::e2e_fixture& f, backfill_run& run,
                            std::chrono::steady_clock::time_point called) {
  while (std::chrono::steady_clock::now() - called < 60s) {
    auto s = f.status();
    auto active = s.find("activeTasks")->as_array();
    bool at_latest = !active.empty();
    for (const auto& t : active)
      for (const auto& [p, o] : t.find("startingOffsets")->as_object())
        at_latest &= o.as_int() >= run.end.at(p);
    if (at_latest) {
      run.seconds_to_latest =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - called)
              .count();
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
}

// Waits until both groups' tasks have processed rows (their live row stats),
// so each group the call seals has rows to publish.
void wait_reading(test::e2e_fixture& f) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = f.get(f.sup("/stats"));
    REQUIRE(r.status == 200);
    auto stats = r.json();
    size_t groups_reading = 0;  // groups with a task that processed rows
    for (const auto& [_, tasks] : stats.as_object()) {
      bool any = false;
      for (const auto& [_, t] : tasks.as_object())
        any |= t.find("totals")->find("buildSegments")->find("processed")->as_int() > 0;
      groups_reading += any;
    }
    if (groups_reading >= 2) return;
    std::this_thread::sleep_for(5ms);
  }
  FAIL("the resumed tasks read nothing in 30 s");
}

// Sets the embedded Kafka's round-trip time.
void broker_rtt(test::e2e_fixture& f, int ms) {
  REQUIRE(f.post_json("/streamvisor/v1/kafka/brokers/all/rtt",
                      json::make_object({{"ms", ms}}))
              .status == 200);
}

// Falls behind (suspended while 60,000 events arrive), resumes, and calls the
// endpoint once both groups have read rows, while 30,000 more events arrive.
// Reading is slowed while it resumes (500-event record batches, one batch per
// partition per fetch, 100 ms broker round trips: ~40,000 events/s), so the
// call always finds the supervisor behind. `during` runs right after the reply.
// Waits until the running tasks together processed `n` rows.
void wait_processed(test::e2e_fixture& f, int64_t n) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  int64_t processed = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    processed = 0;
    auto stats = f.get(f.sup("/stats")).json();
    for (const auto& [_, tasks] : stats.as_object())
      for (const auto& [_, t] : tasks.as_object())
        processed += t.find("totals")->find("buildSegments")->find("processed")->as_int();
    if (processed >= n) return;
    std::this_thread::sleep_for(50ms);
  }
  FAIL("the tasks processed " << processed << " rows of " << n);
}

enum class tasks_roll { over, never };

// `before_call` runs right before the call.
template <class During, class Before = void (*)()>
backfill_run fall_behind_and_backfill(
    test::e2e_fixture& f, const std::string& io_extra, During during,
    tasks_roll roll = tasks_roll::over, Before before_call = [] {}) {
  f.use_batches_of(500);
  auto io = streaming + "," + slow_fetch + (io_extra.empty() ? "" : "," + io_extra);
  REQUIRE(
      f.post_json("/druid/indexer/v1/supervisor", f.spec(io, "", concurrent)).status ==
      200);
  // useEarliestOffset false: groups start at the latest offset, so nothing is
  // produced before they exist.
  f.wait_state("RUNNING");
  f.produce(16000);
  // Tasks that never roll over commit nothing until the suspend publishes them.
  if (roll == tasks_roll::over)
    f.wait_caught_up();
  else
    wait_processed(f, 16000);
  REQUIRE(f.post_empty(f.sup("/suspend")).status == 200);
  f.wait_state("SUSPENDED", true);
  f.wait_caught_up();
  f.produce(60000);
  broker_rtt(f, 100);
  REQUIRE(f.post_empty(f.sup("/resume")).status == 200);
  f.wait_state("RUNNING", false, 60s, "", 10ms);
  wait_reading(f);
  auto producing = f.produce_async(30000, 6s);
  before_call();
  auto reply = f.post_empty(f.sup("/resetToLatestAndBackfill"));
  broker_rtt(f, 0);
  auto called = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(reply.status == 200, reply.body);
  auto run = from_reply(f, reply.json());
  during(run);
  measure_time_to_latest(f, run, called);
  producing.join();
  return run;
}

// The backfill completes, the main supervisor catches up, every event is
// there once, and the rows are where they must be.
void check_outcome(test::e2e_fixture& f, const backfill_run& run) {
  int64_t skipped = 0;
  for (const auto& [p, s] : run.start) skipped += run.end.at(p) - s;
  MESSAGE("backfill " << run.backfill_id << " covers " << skipped
                      << " events; the main supervisor read from the latest offsets "
                      << run.seconds_to_latest << " s after the reply");
  CHECK(skipped > 0);
  CHECK(run.seconds_to_latest >= 0);
  f.wait_state("COMPLETED", false, 120s, run.backfill_id);
  // Done: no lag against the stream, which went on past its range (lag is
  // known once the latest offsets were read, within offsetFetchPeriod).
  auto lag_known = std::chrono::steady_clock::now() + 20s;
  json lag;
  while ((lag = *f.status(run.backfill_id).find("aggregateLag")).is_null()) {
    REQUIRE(std::chrono::steady_clock::now() < lag_known);
    std::this_thread::sleep_for(200ms);
  }
  CHECK(lag.as_int() == 0);
  f.wait_caught_up();
  auto backfill_row = f.committed(run.backfill_id);
  for (const auto& [p, s] : run.start)
    if (s < run.end.at(p)) CHECK(backfill_row.at(p) == run.end.at(p));
  f.check_exactly_once();
  auto audit = f.get(f.sup("/audit")).json();
  bool found = false;
  for (const auto& a : audit.as_array())
    found |=
        a.find("type")->as_string() == "supervisor.resetToLatestAndBackfill" &&
        a.find("payload")->find("backfillSupervisorId")->as_string() == run.backfill_id;
  CHECK(found);
}

struct pg_holder {
  test::postgres_env pg;
  std::string app = test::unique_name("sv_e2e_");
};

struct pg_e2e : pg_holder, test::e2e_fixture {
  pg_e2e() : e2e_fixture(8, pg.uri() + " application_name=" + app) {}
};

}  // namespace

TEST_CASE_FIXTURE(
    test::e2e_fixture,
    "backfill: a lagging supervisor jumps to latest; nothing lost, nothing twice") {
  auto run = fall_behind_and_backfill(*this, "", [](const backfill_run&) {});
  check_outcome(*this, run);
}

TEST_CASE_FIXTURE(test::e2e_fixture, "backfill: with two replicas per group") {
  auto run =
      fall_behind_and_backfill(*this, R"("replicas":2)", [](const backfill_run&) {});
  check_outcome(*this, run);
}

// Polls the status until `done` holds for its publishingTasks.
template <class Done>
void wait_publishing(test::e2e_fixture& f, Done done, const char* what) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!done(f.status().find("publishingTasks")->as_array())) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, what);
    std::this_thread::sleep_for(20ms);
  }
}

TEST_CASE_FIXTURE(
    pg_e2e, "backfill: the sealed tasks are killed while they publish (PostgreSQL)") {
  test::pg_session lock{pg.base};
  // Tasks of an hour publish only when sealed, so nothing publishes before
  // the call. Inserts into the segments table wait from just before the call:
  // the sealed groups' tasks are certainly caught publishing, are stopped in
  // that state, and only then is the store let go.
  const std::string hour = R"("taskDuration":"PT1H")";
  std::vector<std::string> killed;
  auto run = fall_behind_and_backfill(
      *this, hour,
      [&](const backfill_run&) {
        wait_publishing(
            *this, [](const auto& sealed) { return !sealed.empty(); },
            "no sealed task publishing within 60 s");
        auto s = status();
        for (const auto& t : s.find("publishingTasks")->as_array()) {
          killed.push_back(t.find("id")->as_string());
          REQUIRE(post_empty("/druid/indexer/v1/task/" + killed.back() + "/shutdown")
                      .status == 200);
        }
        // The killed tasks leave the list before the store lets inserts in.
        wait_publishing(
            *this,
            [&](const auto& sealed) {
              for (const auto& t : sealed)
                for (const auto& k : killed)
                  if (t.find("id")->as_string() == k) return false;
              return true;
            },
            "the killed tasks are still publishing after 60 s");
        lock.exec("COMMIT");
      },
      tasks_roll::never,
      [&] {
        lock.exec("BEGIN");
        lock.exec("LOCK TABLE " + pg.schema + ".segments IN SHARE ROW EXCLUSIVE MODE");
      });
  CHECK_FALSE(killed.empty());
  // The main supervisor's tasks of an hour publish when it is suspended.
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", true);
  check_outcome(*this, run);
}

TEST_CASE_FIXTURE(pg_e2e,
                  "backfill: the metadata store goes away during the call (PostgreSQL)") {
  test::pg_session admin{pg.base};
  std::atomic<bool> cutting{false}, stop{false};
  std::thread cutter{[&] {
    while (!stop) {
      if (cutting) admin.terminate(app);
      std::this_thread::sleep_for(50ms);
    }
  }};
  // The store is cut off from just before the call until a second after it.
  // Reading is slowed while it resumes (as in fall_behind_and_backfill), so
  // the call finds the supervisor behind however fast the tasks catch up.
  use_batches_of(500);
  auto io = streaming;
  REQUIRE(post_json("/druid/indexer/v1/supervisor", spec(io, "", concurrent)).status ==
          200);
  wait_state("RUNNING");
  produce(16000);
  wait_caught_up();
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", true);
  produce(60000);
  broker_rtt(*this, 100);
  REQUIRE(post_empty(sup("/resume")).status == 200);
  wait_state("RUNNING", false, 60s, "", 10ms);
  auto producing = produce_async(30000, 6s);
  cutting = true;
  std::thread restore{[&] {
    std::this_thread::sleep_for(2s);
    cutting = false;
  }};
  auto reply = post_empty(sup("/resetToLatestAndBackfill"));
  broker_rtt(*this, 0);
  auto called = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(reply.status == 200, reply.body);
  auto run = from_reply(*this, reply.json());
  measure_time_to_latest(*this, run, called);
  restore.join();
  stop = true;
  cutter.join();
  producing.join();
  check_outcome(*this, run);
}

struct one_partition : test::e2e_fixture {
  one_partition() : e2e_fixture(1) {}
};

TEST_CASE_FIXTURE(one_partition,
                  "backfill: a range that fell out of retention is reported exactly") {
  // The backfill waits startDelay (20 s) before reading; meanwhile enough
  // arrives to pass the embedded Kafka's 5 MiB per partition and push the
  // start of its range out.
  REQUIRE(post_json(
              "/druid/indexer/v1/supervisor",
              spec(streaming + R"(,"taskCount":1,"startDelay":"PT20S")", "", concurrent))
              .status == 200);
  wait_state("RUNNING", false, 60s);
  produce(4000);
  wait_caught_up();
  REQUIRE(post_empty(sup("/suspend")).status == 200);
  wait_state("SUSPENDED", true);
  produce(8000);
  // A slow broker keeps the resumed supervisor behind while it is called.
  REQUIRE(
      post_json("/streamvisor/v1/kafka/brokers/all/rtt", json::make_object({{"ms", 300}}))
          .status == 200);
  REQUIRE(post_empty(sup("/resume")).status == 200);
  wait_state("RUNNING", false, 60s, "", 10ms);
  auto reply = post_empty(sup("/resetToLatestAndBackfill"));
  REQUIRE(
      post_json("/streamvisor/v1/kafka/brokers/all/rtt", json::make_object({{"ms", 0}}))
          .status == 200);
  REQUIRE_MESSAGE(reply.status == 200, reply.body);
  auto j = reply.json();
  auto backfill = j.find("backfillSupervisorId")->as_string();
  auto p0 = j.find("startOffsets")->find("0")->as_int();
  auto l0 = j.find("endOffsets")->find("0")->as_int();
  REQUIRE(p0 < l0);
  // ~4 MB more (over 6 s, so the main supervisor keeps up): the partition
  // passes the 5 MiB retention and the start of the backfill's range goes.
  produce(12000, 6s);
  wait_state("COMPLETED", false, 120s, backfill);
  auto s = status(backfill);
  const json* lost = s.find("lostOffsets");
  REQUIRE(lost);
  auto from = lost->find("0")->find("from")->as_int();
  auto to = lost->find("0")->find("to")->as_int();
  CHECK(from == p0);
  CHECK(to > p0);
  CHECK(to <= l0);
  auto audit = get("/druid/indexer/v1/supervisor/" + backfill + "/audit").json();
  bool reported = false;
  for (const auto& a : audit.as_array())
    if (a.find("type")->as_string() == "supervisor.lostOffsets")
      reported =
          a.find("payload")->find("lostOffsets")->find("0")->find("from")->as_int() ==
          from;
  CHECK(reported);
  wait_caught_up();
  // Everything but the reported range, once.
  check_exactly_once({{0, {from, to}}});
}

TEST_CASE_FIXTURE(test::e2e_fixture,
                  "backfill: terminated, re-submitted and backfilled again in one node "
                  "process; two distinct backfills, every event once") {
  // Tasks of an hour never roll over: both incarnations draw the same number
  // of ids before their call (two groups at start, two at resume).
  const std::string hour = R"("taskDuration":"PT1H")";
  auto none = [](const backfill_run&) {};
  // Terminating makes the reading groups publish; the completed backfill
  // stays listed.
  auto terminate = [&] {
    REQUIRE(post_empty(sup("/terminate")).status == 200);
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (get(sup("/status")).status != 404) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(100ms);
    }
  };
  auto first = fall_behind_and_backfill(*this, hour, none, tasks_roll::never);
  wait_state("COMPLETED", false, 120s, first.backfill_id);
  terminate();
  check_outcome(*this, first);

  auto second = fall_behind_and_backfill(*this, hour, none, tasks_roll::never);
  CHECK(second.backfill_id != first.backfill_id);
  wait_state("COMPLETED", false, 120s, second.backfill_id);
  terminate();
  check_outcome(*this, second);
  // Both backfills ran their own range and their spec histories are their own.
  for (const auto* run : {&first, &second}) {
    auto history = get("/druid/indexer/v1/supervisor/" + run->backfill_id + "/history");
    REQUIRE(history.status == 200);
    CHECK(history.json().as_array().size() == 1);
    auto row = committed(run->backfill_id);
    for (const auto& [p, s] : run->start)
      if (s < run->end.at(p)) CHECK(row.at(p) == run->end.at(p));
  }
}
