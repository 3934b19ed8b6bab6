// The ingestion task end to end: embedded Kafka -> rows -> segments in deep
// storage -> one metadata transaction.

#include <pthread.h>

#include <atomic>
#include <mutex>
#include <set>

#include <doctest/doctest.h>

#include "tests/actors/task_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::offset_map;

namespace {

std::multiset<std::string> expected_ids(const std::vector<std::vector<std::string>>& ids,
                                        const offset_map& start, const offset_map& end) {
  std::multiset<std::string> out;
  for (const auto& [p, s] : start) {
    auto part = static_cast<size_t>(std::stoi(p));
    for (auto o = s; o < end.at(p); ++o) out.insert(ids[part][static_cast<size_t>(o)]);
  }
  return out;
}

}  // namespace

TEST_CASE_FIXTURE(test::task_fixture,
                  "a task alone reads [a, b) and publishes exactly those rows") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  auto ids = produce("t", 2, 300);
  offset_map start{{"0", 20}, {"1", 0}}, end{{"0", 250}, {"1", 300}};
  auto row = run(spec("task-1", "t", start, end));
  CHECK(row.status == "SUCCESS");
  auto committed = check->committed_offsets("sup");
  REQUIRE(committed);
  REQUIRE(committed->has_value());
  CHECK((*committed)->offsets == end);
  CHECK(published_ids() == expected_ids(ids, start, end));
  // Segments are hourly (events are one second apart from 10:00) with ids allocated by
  // the store.
  auto segs = check->segments("wiki", true);
  REQUIRE(segs);
  CHECK_FALSE(segs->empty());
  for (const auto& s : *segs) {
    CHECK(s.id.find("wiki_2026-01-01T") == 0);
    CHECK(std::filesystem::exists(s.path));
    CHECK(s.payload.find("loadSpec")->find("path")->as_string() == s.path);
  }
  auto report = row.report.find("ingestionStatsAndErrors")->find("payload");
  CHECK(report->find("ingestionState")->as_string() == "COMPLETED");
  CHECK(report->find("rowStats")->find("buildSegments")->find("processed")->as_int() ==
        530);
  CHECK(report->find("errorMsg")->is_null());
}

TEST_CASE_FIXTURE(
    test::task_fixture,
    "two replicas of the same range: one commits, the other finds it committed") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  auto ids = produce("t", 2, 200);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 200}, {"1", 200}};
  auto a = actors::spawn_task(*sys, spec("replica-a", "t", start, end), env());
  auto b = actors::spawn_task(*sys, spec("replica-b", "t", start, end), env());
  {
    caf::scoped_actor self{*sys};
    self->wait_for(a, b);
  }
  // The row sits exactly at the loser's end: its twin published the same
  // range, so it succeeds without publishing anything twice.
  CHECK(row("replica-a").status == "SUCCESS");
  CHECK(row("replica-b").status == "SUCCESS");
  CHECK(published_ids() == expected_ids(ids, start, end));
}

TEST_CASE_FIXTURE(
    test::task_fixture,
    "a task whose start was committed to a different end fails as diverged") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  auto ids = produce("t", 1, 200);
  offset_map start{{"0", 0}};
  auto first = run(spec("long", "t", start, offset_map{{"0", 200}}));
  REQUIRE(first.status == "SUCCESS");
  auto second = run(spec("short", "t", start, offset_map{{"0", 100}}));
  CHECK(second.status == "FAILED");
  auto msg = second.report.find("ingestionStatsAndErrors")
                 ->find("payload")
                 ->find("errorMsg")
                 ->as_string();
  CHECK(msg.find("diverged") != std::string::npos);
  CHECK(published_ids() == expected_ids(ids, start, offset_map{{"0", 200}}));
}

TEST_CASE_FIXTURE(
    test::task_fixture,
    "a crash between push and commit leaves no visible duplicate; a rerun commits once") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  auto ids = produce("t", 1, 200);
  offset_map start{{"0", 0}}, end{{"0", 200}};
  store->fail_next("publish", 1000000);  // the metadata store rejects every publish
  auto first = actors::spawn_task(*sys, spec("crashes", "t", start, end), env());
  // The segments are pushed before the first publish is tried.
  REQUIRE(store->wait_for_calls("publish", 1, 30s));
  caf::scoped_actor self{*sys};

  self->send_exit(first, caf::exit_reason::kill);  // the crash
  self->wait_for(first);
  auto orphans =
      std::distance(std::filesystem::recursive_directory_iterator{dir / "segments"},
                    std::filesystem::recursive_directory_iterator{});
  CHECK(orphans > 0);                             // files were pushed ...
  CHECK(check->segments("wiki", true)->empty());  // ... but nothing is visible
  CHECK_FALSE(check->committed_offsets("sup")->has_value());
  store->fail_next("publish", 0);
  auto rerun = run(spec("rerun", "t", start, end));
  CHECK(rerun.status == "SUCCESS");
  CHECK(published_ids() == expected_ids(ids, start, end));
  auto segs = check->segments("wiki", true);
  REQUIRE(segs);
  for (const auto& s : *segs) CHECK(s.path.find("/rerun/") != std::string::npos);
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "5% malformed records are counted and reported; the rest is ingested") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  core::event_generator gen{"m", 3};
  std::multiset<std::string> good;
  std::string e;
  for (int i = 0; i < 1000; ++i) {
    e.clear();
    gen.next(e, *core::parse_utc_time("2026-01-01T10:00:00Z"));
    if (i % 20 == 7) {
      REQUIRE_FALSE(kafka.producer->produce(
          "t", 0, {}, e.substr(0, e.size() / 2)));  // truncated JSON
    } else {
      good.insert(core::json::parse(e)->find("id")->as_string());
      REQUIRE_FALSE(kafka.producer->produce("t", 0, {}, e));
    }
  }
  REQUIRE_FALSE(kafka.producer->flush(30s));
  auto row = run(spec(
      "malformed", "t", {{"0", 0}}, offset_map{{"0", 1000}},
      R"({"type":"kafka","maxSavedParseExceptions":10,"logParseExceptions":false})"));
  CHECK(row.status == "SUCCESS");
  auto payload = row.report.find("ingestionStatsAndErrors")->find("payload");
  auto totals = payload->find("rowStats")->find("buildSegments");
  CHECK(totals->find("processed")->as_int() == 950);
  CHECK(totals->find("unparseable")->as_int() == 50);
  auto saved = payload->find("unparseableEvents")->find("buildSegments")->as_array();
  CHECK(saved.size() == 10);
  CHECK(saved[0].find("errorType")->as_string() == "unparseable");
  CHECK(saved[0].find("details")->as_array()[0].as_string().find("malformed JSON") !=
        std::string::npos);
  CHECK(published_ids() == good);
}

TEST_CASE_FIXTURE(test::task_fixture, "maxParseExceptions fails the task") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  for (int i = 0; i < 20; ++i)
    REQUIRE_FALSE(kafka.producer->produce("t", 0, {}, "{broken"));
  REQUIRE_FALSE(kafka.producer->flush(30s));
  auto row = run(spec("strict", "t", {{"0", 0}}, offset_map{{"0", 20}},
                      R"({"type":"kafka","maxParseExceptions":5})"));
  CHECK(row.status == "FAILED");
  auto msg = row.report.find("ingestionStatsAndErrors")
                 ->find("payload")
                 ->find("errorMsg")
                 ->as_string();
  CHECK(msg == "Max parse exceptions [5] exceeded");
  CHECK_FALSE(check->committed_offsets("sup")->has_value());
}

TEST_CASE_FIXTURE(
    test::task_fixture,
    "persisted parts are merged at publish: same rows as without persisting") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  auto ids = produce("t", 2, 400);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 400}, {"1", 400}};
  auto row =
      run(spec("persists", "t", start, end, R"({"type":"kafka","maxRowsInMemory":50})"));
  CHECK(row.status == "SUCCESS");
  CHECK(published_ids() == expected_ids(ids, start, end));
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "maxRowsPerSegment splits a time chunk into several segments") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  auto ids = produce("t", 1, 250);
  auto row = run(spec("split", "t", {{"0", 0}}, offset_map{{"0", 250}},
                      R"({"type":"kafka","maxRowsPerSegment":100})"));
  CHECK(row.status == "SUCCESS");
  auto segs = check->segments("wiki", true);
  std::map<std::string, int> per_interval;
  for (const auto& s : *segs) {
    CHECK(s.num_rows <= 100);
    ++per_interval[core::format_utc_time(s.start)];
  }
  CHECK(per_interval.size() == 1);  // 250 seconds from 10:00: one hour
  CHECK(per_interval.begin()->second == 3);
  CHECK(published_ids().size() == 250);
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "a task created with its group's checkpoints publishes each sequence") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  auto ids = produce("t", 1, 200);
  offset_map start{{"0", 0}}, end{{"0", 200}};
  auto t = spec("late-replica", "t", start, end);
  t.checkpoints = {offset_map{{"0", 80}}, offset_map{{"0", 150}}};
  auto done = run(t);
  CHECK(done.status == "SUCCESS");
  CHECK(store->calls("publish") == 3);
  CHECK(published_ids() == expected_ids(ids, start, end));
}

namespace {

// A deep storage whose first pushes fail as a full disk does.
struct full_for_a_while final : adapters::deep_storage {
  full_for_a_while(std::shared_ptr<adapters::deep_storage> inner, int refusals)
      : inner(std::move(inner)), left(refusals) {}
  caf::expected<std::string> push(const std::string& local,
                                  const std::string& rel) override {
    if (left > 0) {
      --left;
      return adapters::make_error(adapters::errc::io_error,
                                  "cannot copy " + local + ": No space left on device");
    }
    return inner->push(local, rel);
  }
  std::string location(const std::string& rel) const override {
    return inner->location(rel);
  }
  std::shared_ptr<adapters::deep_storage> inner;
  std::atomic<int> left;
};

}  // namespace

namespace {

// A deep storage that notes the name of the thread of each push.
struct thread_noting final : adapters::deep_storage {
  explicit thread_noting(std::shared_ptr<adapters::deep_storage> inner)
      : inner(std::move(inner)) {}
  caf::expected<std::string> push(const std::string& local,
                                  const std::string& rel) override {
    char name[32] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    {
      std::lock_guard<std::mutex> g{mtx};
      threads.insert(name);
    }
    return inner->push(local, rel);
  }
  std::string location(const std::string& rel) const override {
    return inner->location(rel);
  }
  std::shared_ptr<adapters::deep_storage> inner;
  std::mutex mtx;
  std::set<std::string> threads;
};

}  // namespace

TEST_CASE_FIXTURE(test::task_fixture,
                  "on the node's build pool: each sequence (persisted parts and rows "
                  "in memory) is built and pushed there, and published once") {
  builder = std::make_shared<actors::build_pool>(1);
  auto noting = std::make_shared<thread_noting>(deep);
  deep = noting;
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  auto ids = produce("t", 2, 300);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 300}, {"1", 300}};
  auto t = spec("pooled", "t", start, end, R"({"type":"kafka","maxRowsInMemory":40})");
  t.checkpoints = {offset_map{{"0", 100}, {"1", 120}},
                   offset_map{{"0", 210}, {"1", 200}}};
  auto done = run(t);
  CHECK(done.status == "SUCCESS");
  CHECK(store->calls("publish") == 3);
  CHECK(published_ids() == expected_ids(ids, start, end));
  std::lock_guard<std::mutex> g{noting->mtx};
  CHECK(noting->threads == std::set<std::string>{"sv.build"});
}

namespace {

// A supervisor stand-in that keeps the problems tasks report.
actors::task_listener::behavior_type problem_recorder(
    actors::task_listener::pointer, std::shared_ptr<std::vector<std::string>> problems,
    std::shared_ptr<std::mutex> mtx) {
  return {
      [](msg::checkpoint_requested&) {},
      [](msg::task_finished&) {},
      [](msg::task_lock_wait&) {},
      [=](msg::task_problem& m) {
        std::lock_guard<std::mutex> g{*mtx};
        problems->push_back(m.task_id + ": " + m.message);
      },
      [](msg::predecessor_query&) { return false; },
  };
}

}  // namespace

TEST_CASE_FIXTURE(test::task_fixture,
                  "a full deep storage is waited out: the task retries its segments and "
                  "publishes every row once") {
  bool pooled = false;
  SUBCASE("built on the task's thread") {}
  SUBCASE("built on the build pool: a failed build gives the rows back") {
    builder = std::make_shared<actors::build_pool>(2);
    pooled = true;
  }
  CAPTURE(pooled);
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  auto ids = produce("t", 2, 100);
  auto full = std::make_shared<full_for_a_while>(deep, 3);
  deep = full;
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 100}, {"1", 100}};
  auto problems = std::make_shared<std::vector<std::string>>();
  auto mtx = std::make_shared<std::mutex>();
  auto listener = sys->spawn(problem_recorder, problems, mtx);
  auto row = run(spec("task-full", "t", start, end), listener);
  {
    // The task's messages were in the listener's mailbox before it ended: a
    // reply to a request sent now comes after they were handled.
    caf::scoped_actor self{*sys};
    bool answered = false;
    self->request(listener, caf::infinite, msg::predecessor_query{})
        .receive([&](bool) { answered = true; }, [](caf::error&) {});
    REQUIRE(answered);
  }
  caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
  // The supervisor heard of it once (the same message three times in a row).
  {
    std::lock_guard<std::mutex> g{*mtx};
    REQUIRE(problems->size() == 1);
    CHECK(problems->front().find("task-full: building segments failed, retrying: ") == 0);
    CHECK(problems->front().find("No space left on device") != std::string::npos);
  }
  CHECK(row.status == "SUCCESS");
  CHECK(full->left == 0);
  CHECK(published_ids() == expected_ids(ids, start, end));
  auto committed = check->committed_offsets("sup");
  REQUIRE(committed);
  REQUIRE(committed->has_value());
  CHECK((*committed)->offsets == end);
}
