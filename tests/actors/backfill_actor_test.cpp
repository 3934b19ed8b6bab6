// Reset to latest and backfill in the supervisor actor, deterministically:
// the conversation, the store transaction (and its retries), the sealed
// groups' publishes landing the jump, and the new groups at L.

#include <set>

#include <doctest/doctest.h>

#include "actors/supervisor_actor.hpp"
#include "tests/actors/supervisor_fixture.hpp"

using namespace sv;
using core::offset_map;
using test::offsets;

namespace {

core::supervisor_spec spec(bool concurrent = true) {
  return test::make_spec(
      R"("startDelay":"PT1S","period":"PT2S","taskCount":2,"taskDuration":"PT1H")", "",
      concurrent ? R"("context":{"useConcurrentLocks":true},)" : "");
}

struct fixture : test::supervisor_fixture {
  fixture() {
    stream->partitions = 4;
    commit_row(offsets({{"0", 100}, {"1", 100}, {"2", 100}, {"3", 100}}));
  }

  // Groups 0 and 1 read to P = {0: 150, 1: 170, 2: 160, 3: 180}; the
  // stream's latest is L = 5000 everywhere. Returns the two reading tasks.
  std::pair<std::shared_ptr<test::fake_task_control>,
            std::shared_ptr<test::fake_task_control>>
  read_to_p() {
    auto t0 = reading(0).at(0), t1 = reading(1).at(0);
    t0->position = offsets({{"0", 150}, {"2", 160}});
    t1->position = offsets({{"1", 170}, {"3", 180}});
    stream->latest = 5000;
    return {t0, t1};
  }

  // Sends the request and lets `seconds` pass; returns the reply.
  caf::expected<msg::backfill_reply> backfill(const actors::supervisor_actor& sup,
                                              int seconds = 0) {
    auto h =
        self->request(sup, caf::infinite, msg::reset_and_backfill{"wiki", 0, "test"});
    sched.run();
    step(seconds);
    caf::expected<msg::backfill_reply> out{caf::error{}};
    std::move(h).receive([&](msg::backfill_reply& r) { out = std::move(r); },
                         [&](caf::error& e) { out = std::move(e); });
    return out;
  }
};

}  // namespace

TEST_CASE_FIXTURE(
    fixture,
    "backfill: old groups end at P and jump the row to L; new groups read from L") {
  auto sup = start(spec());
  step(1);
  REQUIRE(live().size() == 2);
  auto [old0, old1] = read_to_p();
  auto reply = backfill(sup);
  REQUIRE(reply);
  auto& r = *reply;
  CHECK(r.backfill_id.rfind("wiki_backfill_", 0) == 0);
  CHECK(r.start == offsets({{"0", 150}, {"1", 170}, {"2", 160}, {"3", 180}}));
  CHECK(r.end == offsets({{"0", 5000}, {"1", 5000}, {"2", 5000}, {"3", 5000}}));
  // The backfill supervisor was persisted with its range and handed to the manager.
  REQUIRE(started.size() == 1);
  CHECK(started[0].id == r.backfill_id);
  std::vector<core::problem> ps;
  auto range = core::bounded_offsets(*started[0].io.bounded, "", ps);
  REQUIRE(range);
  CHECK(range->start == r.start);
  CHECK(range->end == r.end);
  auto stored = store->spec_history(r.backfill_id, 1);
  REQUIRE(stored);
  CHECK(stored->size() == 1);
  // The row holds the jump; the old groups were told end P, commit-as L.
  auto row = store->committed_offsets("wiki");
  REQUIRE(row);
  CHECK((*row)->jump.from == r.start);
  CHECK(old0->end == offsets({{"0", 150}, {"2", 160}}));
  CHECK(old0->commit_as == offsets({{"0", 5000}, {"2", 5000}}));
  // New groups start at L within a run.
  step(1);
  auto fresh = reading();
  REQUIRE(fresh.size() == 2);
  for (const auto& t : fresh)
    for (const auto& [_, o] : t->spec.start) CHECK(o == 5000);
  // The old groups publish: the row lands at L and the jump is done.
  publish(old0);
  publish(old1);
  CHECK(committed("wiki") == r.end);
  CHECK((*store->committed_offsets("wiki"))->jump.empty());
  auto audit = store->audit(std::string{"wiki"}, 1);
  REQUIRE(audit);
  CHECK(audit->at(0).type == "supervisor.resetToLatestAndBackfill");
  CHECK(audit->at(0).payload.find("backfillSupervisorId")->as_string() == r.backfill_id);
}

TEST_CASE_FIXTURE(fixture,
                  "backfill: a store that is briefly unavailable is waited for; one that "
                  "stays down changes nothing") {
  auto sup = start(spec());
  step(1);
  read(20);
  store->fail_next("begin_backfill", 3);
  auto reply = backfill(sup, 5);
  REQUIRE(reply);
  CHECK(store->calls("begin_backfill") == 4);

  // Second call, the store down for good: an error, the tasks read on.
  step(2);
  auto tasks = reading();
  REQUIRE(tasks.size() == 2);
  store->fail_next("begin_backfill", 1000);
  auto failed = backfill(sup, 40);
  REQUIRE_FALSE(failed);
  for (const auto& t : tasks) {
    CHECK_FALSE(t->paused);
    CHECK_FALSE(t->end);
  }
  CHECK(started.size() == 1);
}

TEST_CASE_FIXTURE(fixture,
                  "backfill: an id found taken in the store is drawn again; one backfill "
                  "runs, under the fresh id, and the taken ids gain no version") {
  auto sup = start(spec());
  step(1);
  read_to_p();
  store->take_next_backfill_ids(2);
  auto reply = backfill(sup);
  REQUIRE(reply);
  auto taken = store->squatted();
  REQUIRE(taken.size() == 2);
  CHECK(store->calls("begin_backfill") == 3);
  for (const auto& id : taken) {
    CHECK(id != reply->backfill_id);
    CHECK(store->spec_history(id, 10)->size() == 1);  // the other user's only
  }
  REQUIRE(started.size() == 1);
  CHECK(started[0].id == reply->backfill_id);
  CHECK(store->spec_history(reply->backfill_id, 10)->size() == 1);
  auto audit = store->audit(std::string{"wiki"}, 10);
  REQUIRE(audit->size() == 1);
  CHECK(audit->at(0).payload.find("backfillSupervisorId")->as_string() ==
        reply->backfill_id);
  CHECK((*store->committed_offsets("wiki"))->jump.from == reply->start);
}

TEST_CASE_FIXTURE(fixture,
                  "backfill: a backfill that cannot be created changes nothing and the "
                  "call fails") {
  auto sup = start(spec());
  step(1);
  auto [t0, t1] = read_to_p();
  store->take_next_backfill_ids(1000);
  auto reply = backfill(sup, 2);
  REQUIRE_FALSE(reply);
  CHECK(core::is(reply.error(), core::errc::conflict));
  CHECK(started.empty());
  CHECK(store->audit(std::string{"wiki"}, 10)->empty());
  CHECK((*store->committed_offsets("wiki"))->jump.empty());
  for (const auto& t : {t0, t1}) {
    CHECK_FALSE(t->paused);
    CHECK_FALSE(t->end);
  }
}

TEST_CASE_FIXTURE(fixture,
                  "backfill: two incarnations of one supervisor id draw different task "
                  "and backfill ids") {
  auto first = start(spec());
  step(1);
  auto [old0, old1] = read_to_p();
  auto r1 = backfill(first);
  REQUIRE(r1);
  publish(old0);
  publish(old1);
  REQUIRE(committed("wiki") == r1->end);
  std::set<std::string> first_tasks;
  for (auto& [id, _] : fakes) first_tasks.insert(id);
  self->send_exit(first, caf::exit_reason::kill);
  sched.run();

  // The same spec again in the same process: the same node seed.
  auto second = start(spec());
  step(2);
  auto now_reading = reading();
  REQUIRE(now_reading.size() == 2);
  for (auto& t : now_reading) {
    CHECK_FALSE(first_tasks.count(t->spec.id));
    for (auto& [_, o] : t->position) o += 10;
  }
  stream->latest = 9000;
  auto r2 = backfill(second);
  REQUIRE(r2);
  CHECK(r2->backfill_id != r1->backfill_id);
  // Drawn fresh, not refused by the store and drawn again.
  CHECK(store->calls("begin_backfill") == 2);
  REQUIRE(started.size() == 2);
  CHECK(started[1].id == r2->backfill_id);
}

TEST_CASE_FIXTURE(fixture,
                  "backfill: refused without concurrent locks, before the first run, and "
                  "while one runs") {
  auto plain = start(spec(false));
  step(1);
  auto r = backfill(plain);
  REQUIRE_FALSE(r);
  CHECK(core::error_message(r.error()).find("useConcurrentLocks") != std::string::npos);
  CHECK(core::is(r.error(), core::errc::invalid_input));
}

TEST_CASE_FIXTURE(fixture,
                  "backfill: a sealed task that dies before it publishes is sealed again "
                  "from the row; nothing of [P, L) is read by the supervisor") {
  auto sup = start(spec());
  step(1);
  auto [old0, old1] = read_to_p();
  auto reply = backfill(sup);
  REQUIRE(reply);
  step(1);
  // Group 0's sealed task dies before its publish lands.
  old0->fail_publish = true;
  publish(old0);
  CHECK_FALSE(old0->alive);
  step(3);
  // Its range [100, P) is read again by a new task, told to end at P and to
  // commit the row as L; every other live task reads from L or later.
  std::shared_ptr<test::fake_task_control> again;
  for (const auto& t : live()) {
    if (t == old1) continue;
    if (t->spec.start == offsets({{"0", 100}, {"2", 100}})) {
      again = t;
      continue;
    }
    for (const auto& [_, o] : t->spec.start) CHECK(o >= 5000);
  }
  REQUIRE(again);
  REQUIRE(again->end);
  CHECK(*again->end == offsets({{"0", 150}, {"2", 160}}));
  REQUIRE(again->commit_as);
  CHECK(*again->commit_as == offsets({{"0", 5000}, {"2", 5000}}));
  // Both sealed groups publish: the row lands at L, the jump is done.
  again->position = *again->end;

  publish(again);
  publish(old1);
  CHECK(committed("wiki") == reply->end);
  CHECK((*store->committed_offsets("wiki"))->jump.empty());
}
