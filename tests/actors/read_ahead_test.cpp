// A task's pipeline with two lanes reads the next batch while the build pool
// runs the second lane's share of this one. What it read ahead is kept when
// partitions only reach their end, dropped when the reader has to move, and
// never ingested twice or lost (scripted readers inject the faults).

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include <doctest/doctest.h>

#include "actors/task/ingest_pipeline.hpp"
#include "tests/actors/pipeline_helpers.hpp"
#include "tests/actors/task_fixture.hpp"

using namespace sv;
using core::offset_map;

namespace {

// The ids of values[p][from, to) for each partition p.
std::multiset<std::string> ids_of(const std::vector<std::vector<std::string>>& values,
                                  const std::vector<std::pair<size_t, size_t>>& ranges) {
  std::multiset<std::string> ids;
  for (size_t p = 0; p < ranges.size(); ++p)
    for (size_t i = ranges[p].first; i < ranges[p].second; ++i)
      ids.insert((*core::json::parse(values[p][i])).find("id")->as_string());
  return ids;
}

// `e` with a reader that is a scripted_reader over `values` (batches of 2000,
// poll number `fail_at` failing); `reader` points at it once it is opened.
void script(actors::task_env& e, const std::vector<std::vector<std::string>>& values,
            std::shared_ptr<std::atomic<int>> polls, int fail_at,
            test::scripted_reader** reader = nullptr) {
  e.open_reader = [&values, polls, fail_at, reader](const core::task::task_spec&)
      -> caf::expected<std::unique_ptr<adapters::stream_reader>> {
    auto r = std::make_unique<test::scripted_reader>(values, 2000, fail_at, polls);
    if (reader) *reader = r.get();
    return r;
  };
}

}  // namespace

TEST_CASE_FIXTURE(test::task_fixture,
                  "two lanes: the next batch is read while the pool runs the second "
                  "lane; a read ahead that fails is returned next, and nothing is lost") {
  builder = std::make_shared<actors::build_pool>(2);
  std::multiset<std::string> expect;
  auto values = test::events("ahead", 6000, expect);
  auto polls = std::make_shared<std::atomic<int>>(0);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 3000}, {"1", 3000}};
  auto t = spec("ahead", "unused", start, end);
  auto e = env();
  script(e, values, polls, 3);
  actors::ingest_pipeline pipe{t, e};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  // Read 1: its batch (1000 records a lane: the second on the pool), and the
  // next one read meanwhile.
  auto first = pipe.read(seqs);
  REQUIRE(first);
  CHECK(*first == 2000);
  CHECK(*polls == 2);
  CHECK(pipe.rows(0) == 2000);
  CHECK(pipe.lanes().read_ahead == 1);
  // Read 2: the batch read ahead (no poll of its own); reading ahead again
  // meets the injected failure.
  auto second = pipe.read(seqs);
  REQUIRE(second);
  CHECK(*second == 2000);
  CHECK(*polls == 3);
  CHECK(pipe.rows(0) == 4000);
  // Read 3: that failure, now.
  auto third = pipe.read(seqs);
  REQUIRE_FALSE(third);
  CHECK(core::error_message(third.error()).find("injected failure") != std::string::npos);
  CHECK(*polls == 3);
  // Read 4: the rest (reading ahead finds nothing more).
  auto fourth = pipe.read(seqs);
  REQUIRE(fourth);
  CHECK(*fourth == 2000);
  CHECK(*polls == 5);
  CHECK(pipe.lanes().read_ahead == 1);
  CHECK(pipe.rows(0) == 6000);
  CHECK_FALSE(seqs.ready().empty());
  auto built = pipe.build(0);
  REQUIRE_MESSAGE(built, core::error_message(built.error()));
  CHECK(test::built_ids(*built) == expect);
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "two lanes: a reassign to the positions routed keeps the batch read "
                  "ahead; nothing is polled twice") {
  builder = std::make_shared<actors::build_pool>(2);
  std::multiset<std::string> expect;
  auto values = test::events("same", 4000, expect);
  auto polls = std::make_shared<std::atomic<int>>(0);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 2000}, {"1", 2000}};
  auto t = spec("same", "unused", start, end);
  auto e = env();
  test::scripted_reader* reader = nullptr;
  script(e, values, polls, -1, &reader);
  actors::ingest_pipeline pipe{t, e};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  REQUIRE(pipe.read(seqs));
  CHECK(pipe.lanes().read_ahead == 1);  // the second half, held
  REQUIRE_FALSE(pipe.reassign(seqs.to_read()));
  CHECK(reader->assigns == 1);   // open's only
  auto again = pipe.read(seqs);  // the batch held
  REQUIRE(again);
  CHECK(*again == 2000);
  CHECK(*polls == 3);  // read 1, ahead, read 2's ahead (empty)
  CHECK(pipe.rows(0) == 4000);
  CHECK_FALSE(seqs.ready().empty());
  auto built = pipe.build(0);
  REQUIRE_MESSAGE(built, core::error_message(built.error()));
  CHECK(test::built_ids(*built) == expect);
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "two lanes: a partition that reaches its end is left out; the batch "
                  "read ahead stays, and its records past the end are not ingested") {
  builder = std::make_shared<actors::build_pool>(2);
  std::multiset<std::string> all;
  auto values = test::events("ends", 4000, all);
  auto polls = std::make_shared<std::atomic<int>>(0);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 1000}, {"1", 2000}};
  auto t = spec("ends", "unused", start, end);
  auto e = env();
  test::scripted_reader* reader = nullptr;
  script(e, values, polls, -1, &reader);
  actors::ingest_pipeline pipe{t, e};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  // Read 1: offsets 0-999 of both; read ahead: 1000-1999 of both.
  REQUIRE(pipe.read(seqs));
  CHECK(*polls == 2);
  auto to_read = seqs.to_read();
  REQUIRE(to_read == offset_map{{"1", 1000}});  // partition 0 is done
  REQUIRE_FALSE(pipe.reassign(to_read));
  CHECK(reader->position() == offset_map{{"1", 2000}});  // not moved back
  // Read 2: the batch held; partition 0's half of it is past its end.
  auto second = pipe.read(seqs);
  REQUIRE(second);
  CHECK(*second == 2000);
  CHECK(*polls == 3);  // its own read ahead finds nothing
  CHECK(pipe.rows(0) == 3000);
  CHECK_FALSE(seqs.ready().empty());
  auto built = pipe.build(0);
  REQUIRE_MESSAGE(built, core::error_message(built.error()));
  CHECK(test::built_ids(*built) == ids_of(values, {{0, 1000}, {0, 2000}}));
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "two lanes: a reassign that moves a partition drops the batch read "
                  "ahead and reads from where it is told") {
  builder = std::make_shared<actors::build_pool>(2);
  std::multiset<std::string> all;
  auto values = test::events("moved", 4000, all);
  auto polls = std::make_shared<std::atomic<int>>(0);
  offset_map start{{"0", 0}, {"1", 0}}, end{{"0", 2000}, {"1", 2000}};
  auto t = spec("moved", "unused", start, end);
  auto e = env();
  script(e, values, polls, -1);
  actors::ingest_pipeline pipe{t, e};
  REQUIRE_FALSE(pipe.open());
  core::task::sequences seqs{start, end};
  REQUIRE(pipe.read(seqs));  // offsets 0-999, and 1000-1999 held
  CHECK(pipe.lanes().read_ahead == 1);
  // Back to the start, as sequences that begin again there have it.
  core::task::sequences again{start, end};
  REQUIRE_FALSE(pipe.reassign(again.to_read()));
  auto n = pipe.read(again);  // polled anew: 0-999 of both once more
  REQUIRE(n);
  CHECK(*n == 2000);
  CHECK(*polls == 4);  // read 1, its ahead (dropped), read 2, its ahead
  CHECK(pipe.rows(0) == 4000);
  auto built = pipe.build(0);
  REQUIRE_MESSAGE(built, core::error_message(built.error()));
  auto first_half = ids_of(values, {{0, 1000}, {0, 1000}});
  auto twice = first_half;
  twice.insert(first_half.begin(), first_half.end());
  CHECK(test::built_ids(*built) == twice);
}
