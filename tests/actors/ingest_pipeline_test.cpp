// The task's pipeline on the embedded Kafka: background persists (parts are
// written while ingestion goes on) keep every row, and a persist that fails
// is reported by build, never lost.

#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "actors/task/ingest_pipeline.hpp"
#include "adapters/errc.hpp"
#include "core/event_generator.hpp"
#include "tests/actors/pipeline_helpers.hpp"
#include "tests/actors/task_fixture.hpp"

using namespace sv;
using core::offset_map;
using test::built_ids;

namespace {

// Reads until every partition reached its end (30 s at most).
void read_all(actors::ingest_pipeline& pipe, core::task::sequences& seqs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (seqs.ready().empty() && std::chrono::steady_clock::now() < deadline)
    REQUIRE(pipe.read(seqs));
  REQUIRE(!seqs.ready().empty());
}

}  // namespace

TEST_CASE_FIXTURE(test::task_fixture,
                  "persists in flight: rows counted at once, every row in the build") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 300}, {"1", 300}};
  // Up to three persists in flight (maxPendingPersists 2).
  auto t = spec("pipe", "t", start, end, R"({"type":"kafka","maxPendingPersists":2})");
  actors::ingest_pipeline pipe{t, env()};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  // Three rounds of 200 events, each persisted as soon as it is read: the
  // persists overlap the next round's reads.
  for (int round = 1; round <= 3; ++round) {
    produce("t", 2, 100, "r" + std::to_string(round));
    while (pipe.rows(0) < 200 * round) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      REQUIRE(pipe.read(seqs));
    }
    REQUIRE_FALSE(pipe.persist_all());
  }
  REQUIRE_FALSE(seqs.ready().empty());
  REQUIRE_FALSE(pipe.persist_all());
  CHECK(pipe.rows(0) == 600);  // persisted rows count before their parts are written
  auto built = pipe.build(0);
  REQUIRE_MESSAGE(built, core::error_message(built.error()));
  int64_t rows = 0;
  for (const auto& r : *built) rows += r.num_rows;
  CHECK(rows == 600);
  size_t parts = 0;  // the parts are kept until the sequence is dropped
  for (const auto& f : std::filesystem::directory_iterator{
           std::filesystem::path{env().work_dir} / "pipe"})
    parts += f.path().filename().string().rfind("part-0-", 0) == 0;
  CHECK(parts >= 3);
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "a persist that fails in the background fails the build") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  produce("t", 1, 200);
  offset_map start{{"0", 0}}, end{{"0", 200}};
  auto t = spec("broken", "t", start, end);
  actors::ingest_pipeline pipe{t, env()};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  read_all(pipe, seqs);
  // The task's directory becomes a file: the part cannot be written (as root too).
  auto task_dir = std::filesystem::path{env().work_dir} / "broken";
  std::filesystem::remove_all(task_dir);
  { std::ofstream{task_dir} << "not a directory"; }
  auto started = pipe.persist_all();  // may report it already, or leave it to build
  auto built = pipe.build(0);
  CHECK((started || !built));
  if (!built)
    CHECK(core::error_message(built.error()).find("part-0-0") != std::string::npos);
  // Once failed, every later call that touches parts says so.
  CHECK(pipe.reap_persists());
  CHECK_FALSE(pipe.build(0));
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "two lanes: every row once, errors and bytes counted from both, a "
                  "persist writes a part per lane") {
  builder = std::make_shared<actors::build_pool>(2);
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 3005}, {"1", 3005}};
  auto t =
      spec("lanes", "t", start, end,
           R"({"type":"kafka","maxParseExceptions":100,"maxSavedParseExceptions":20})");
  actors::ingest_pipeline pipe{t, env()};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  // Two rounds, each persisted once read: a part per lane each time.
  std::multiset<std::string> expect;
  for (int round = 1; round <= 2; ++round) {
    for (const auto& p : produce("t", 2, 1500, "r" + std::to_string(round)))
      expect.insert(p.begin(), p.end());
    if (round == 2)  // bad records on both partitions (so in both lanes)
      for (int p = 0; p < 2; ++p)
        for (int i = 0; i < 5; ++i)
          REQUIRE_FALSE(kafka.producer->produce("t", p, {}, "{not json"));
    REQUIRE_FALSE(kafka.producer->flush(std::chrono::seconds{30}));
    while (round == 1 ? pipe.rows(0) < 3000 : seqs.ready().empty()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      REQUIRE(pipe.read(seqs));
    }
    REQUIRE_FALSE(pipe.persist_all());
  }
  CHECK(pipe.lanes().shared > 0);
  const auto& totals = pipe.stats().totals();
  CHECK(totals.processed == 6000);
  CHECK(totals.unparseable == 10);
  CHECK(pipe.stats().exceptions().size() == 10);
  CHECK(pipe.rows(0) == 6000);
  auto built = pipe.build(0);
  REQUIRE_MESSAGE(built, core::error_message(built.error()));
  size_t parts = 0;  // written by now, kept until the sequence is dropped
  for (const auto& f : std::filesystem::directory_iterator{
           std::filesystem::path{env().work_dir} / "lanes"})
    parts += f.path().filename().string().rfind("part-0-", 0) == 0;
  CHECK(parts == 4);
  CHECK(built_ids(*built) == expect);
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "two lanes: a build pool busy with other work never stalls a read") {
  builder = std::make_shared<actors::build_pool>(1);
  std::promise<void> release;
  auto blocked = release.get_future().share();
  builder->post([blocked] { blocked.wait(); });  // the pool's only thread, held
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  auto ids = produce("t", 2, 3000);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 3000}, {"1", 3000}};
  auto t = spec("held", "t", start, end);
  actors::ingest_pipeline pipe{t, env()};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  read_all(pipe, seqs);
  // The task's thread took back every lane it had handed over.
  CHECK(pipe.lanes().shared > 0);
  CHECK(pipe.lanes().on_pool == 0);
  CHECK(pipe.rows(0) == 6000);
  release.set_value();
  auto built = pipe.build(0);
  REQUIRE_MESSAGE(built, core::error_message(built.error()));
  std::multiset<std::string> expect;
  for (const auto& p : ids) expect.insert(p.begin(), p.end());
  CHECK(built_ids(*built) == expect);
}

TEST_CASE(
    "spread: a worker runs here and once per other pool thread; a busy pool leaves "
    "every run here") {
  auto count_runs = [](actors::build_pool* pool) {
    std::atomic<int> runs{0};
    std::atomic<size_t> next{0};
    std::vector<std::atomic<int>> done(1000);
    std::mutex mu;
    std::set<std::thread::id> threads;
    actors::spread(pool, [&] {
      ++runs;
      {
        std::lock_guard lock{mu};
        threads.insert(std::this_thread::get_id());
      }
      for (size_t i; (i = next.fetch_add(1)) < done.size();) ++done[i];
    });
    for (const auto& d : done) REQUIRE(d == 1);  // every item once, all done
    return std::pair{runs.load(), threads};
  };
  SUBCASE("no pool") {
    auto [runs, threads] = count_runs(nullptr);
    CHECK(runs == 1);
    CHECK(threads == std::set{std::this_thread::get_id()});
  }
  SUBCASE("an idle pool of three") {
    actors::build_pool pool{3};
    auto [runs, threads] = count_runs(&pool);
    CHECK(runs == 3);
    CHECK(threads.count(std::this_thread::get_id()) == 1);
  }
  SUBCASE("a pool whose threads are all held") {
    actors::build_pool pool{2};
    std::promise<void> release;
    auto blocked = release.get_future().share();
    for (int i = 0; i < 2; ++i) pool.post([blocked] { blocked.wait(); });
    auto [runs, threads] = count_runs(&pool);
    CHECK(runs == 2);
    CHECK(threads == std::set{std::this_thread::get_id()});
    release.set_value();
  }
}
