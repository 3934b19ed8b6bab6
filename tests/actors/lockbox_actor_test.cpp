// The lockbox actor, deterministically: a conflicting request waits, the
// requester is told when it is granted, and a task that dies lets go of its
// locks and of its place in the queue.

#include <doctest/doctest.h>

#include "actors/lockbox_actor.hpp"
#include "tests/actors/actor_fixture.hpp"

using namespace sv;

namespace {

// What one client (a stand-in for a task) saw.
struct client_log {
  std::vector<msg::lock_reply> replies;
  std::vector<msg::lock_granted> granted;
  std::vector<caf::error> errors;
};

// A task's side of the conversation: asks the lockbox for what it is sent.
caf::behavior lock_client_behavior(caf::event_based_actor* self,
                                   actors::lockbox_actor lockbox,
                                   std::shared_ptr<client_log> log) {
  return {
      [=](msg::lock_acquire& m) {
        self->request(lockbox, caf::infinite, std::move(m))
            .then([=](msg::lock_reply& r) { log->replies.push_back(std::move(r)); },
                  [=](caf::error& e) { log->errors.push_back(std::move(e)); });
      },
      [=](msg::lock_granted& m) { log->granted.push_back(m); },
  };
}

constexpr int64_t hour = 3600 * 1000;

msg::lock_acquire acquire(std::string group, std::string task, std::string type,
                          int64_t start = 0, int64_t end = hour) {
  return msg::lock_acquire{"wiki", std::move(group), std::move(task), start,
                           end,    std::move(type)};
}

struct fixture : test::actor_fixture {
  actors::lockbox_actor lockbox = actors::spawn_lockbox(sys);

  std::pair<caf::actor, std::shared_ptr<client_log>> client() {
    return client_of(lockbox);
  }

  std::pair<caf::actor, std::shared_ptr<client_log>> client_of(
      actors::lockbox_actor box) {
    auto log = std::make_shared<client_log>();
    auto a = sys.spawn(lock_client_behavior, box, log);
    to_stop.push_back(a);
    return {a, log};
  }

  core::json locks() { return *call<core::json>(lockbox, msg::get_locks{}); }

  ~fixture() { caf::anon_send_exit(lockbox, caf::exit_reason::user_shutdown); }
};

}  // namespace

TEST_CASE_FIXTURE(fixture,
                  "lockbox: a conflicting group waits and is told when granted") {
  auto [a, a_log] = client();
  auto [b, b_log] = client();
  caf::anon_send(a, acquire("index_kafka_one", "a", "EXCLUSIVE"));
  sched.run();
  REQUIRE(a_log->replies.size() == 1);
  CHECK(a_log->replies[0].granted);

  caf::anon_send(b, acquire("index_kafka_two", "b", "EXCLUSIVE"));
  sched.run();
  REQUIRE(b_log->replies.size() == 1);
  CHECK_FALSE(b_log->replies[0].granted);
  CHECK(b_log->replies[0].blocked_by == std::vector<std::string>{"index_kafka_one"});
  CHECK(b_log->granted.empty());
  auto j = locks();
  CHECK(j.find("locks")->as_array().size() == 1);
  CHECK(j.find("waiting")->as_array().size() == 1);

  // The holder ends (killed here): its lock goes and the waiter is granted.
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  sched.run();
  REQUIRE(b_log->granted.size() == 1);
  CHECK(b_log->granted[0] == msg::lock_granted{0, hour});
  j = locks();
  REQUIRE(j.find("locks")->as_array().size() == 1);
  CHECK(j.find("locks")->as_array()[0].find("groupId")->as_string() == "index_kafka_two");
  CHECK(j.find("waiting")->as_array().empty());
}

TEST_CASE_FIXTURE(
    fixture,
    "lockbox: appending groups share a chunk; a task leaving the queue is forgotten") {
  auto [main, main_log] = client();
  auto [backfill, backfill_log] = client();
  auto [exclusive, exclusive_log] = client();
  caf::anon_send(main, acquire("index_kafka_wiki", "m", "APPEND"));
  caf::anon_send(backfill, acquire("index_kafka_wiki_backfill_x", "b", "APPEND"));
  sched.run();
  CHECK(main_log->replies.at(0).granted);
  CHECK(backfill_log->replies.at(0).granted);

  caf::anon_send(exclusive, acquire("other", "x", "EXCLUSIVE"));
  sched.run();
  CHECK_FALSE(exclusive_log->replies.at(0).granted);
  CHECK(exclusive_log->replies.at(0).blocked_by.size() == 2);
  // The waiter dies: nothing is granted to it when the holders end.
  caf::anon_send_exit(exclusive, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK(locks().find("waiting")->as_array().empty());
  caf::anon_send_exit(main, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(backfill, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK(locks().find("locks")->as_array().empty());
}

TEST_CASE_FIXTURE(fixture, "lockbox: an unknown lock type is refused") {
  auto [a, log] = client();
  caf::anon_send(a, acquire("g", "a", "TIME_CHUNK"));
  sched.run();
  CHECK(log->replies.empty());
  REQUIRE(log->errors.size() == 1);
  CHECK(core::error_message(log->errors[0]).find("unknown lock type [TIME_CHUNK]") !=
        std::string::npos);
}

namespace {

// A cluster overlord's lockbox: it keeps grants in the store and leads with
// its node.
struct cluster_fixture : fixture {
  actors::lockbox_actor kept = spawn_kept();

  actors::lockbox_actor spawn_kept() {
    actors::lockbox_config c;
    c.metadata = metadata;
    c.leading = false;
    c.claim_timeout = std::chrono::seconds{30};
    return actors::spawn_lockbox(sys, std::move(c));
  }

  void lead(actors::lockbox_actor box, bool leading) {
    msg::cluster_view v;
    v.leading = leading;
    v.epoch = 1;
    caf::anon_send(box, v);
    sched.run();
  }

  std::vector<std::string> kept_tasks() {
    auto rows = store->task_locks();
    REQUIRE(rows);
    std::vector<std::string> out;
    for (const auto& r : *rows) out.push_back(r.task_id);
    return out;
  }

  core::json locks_of(actors::lockbox_actor box) {
    return *call<core::json>(box, msg::get_locks{});
  }

  ~cluster_fixture() { caf::anon_send_exit(kept, caf::exit_reason::user_shutdown); }
};

}  // namespace

TEST_CASE_FIXTURE(cluster_fixture,
                  "cluster lockbox: grants only while leading, and keeps every grant") {
  auto [a, a_log] = client_of(kept);
  caf::anon_send(a, acquire("index_kafka_one", "a", "EXCLUSIVE"));
  sched.run();
  REQUIRE(a_log->errors.size() == 1);
  CHECK(core::error_message(a_log->errors[0]).find("does not lead") != std::string::npos);
  CHECK(kept_tasks().empty());

  lead(kept, true);
  caf::anon_send(a, acquire("index_kafka_one", "a", "EXCLUSIVE"));
  sched.run();
  REQUIRE(a_log->replies.size() == 1);
  CHECK(a_log->replies[0].granted);
  CHECK(kept_tasks() == std::vector<std::string>{"a"});

  // A store that refuses the grant: the task hears the error, not "granted".
  auto [b, b_log] = client_of(kept);
  store->fail_next("persist_lock", 1);
  caf::anon_send(b, acquire("index_kafka_two", "b", "EXCLUSIVE", hour, 2 * hour));
  sched.run();
  REQUIRE(b_log->errors.size() == 1);
  CHECK(b_log->replies.empty());

  // The holder ends: its kept lock is forgotten.
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK(kept_tasks().empty());
}

TEST_CASE_FIXTURE(cluster_fixture,
                  "cluster lockbox: a new leader restores the kept locks; their tasks "
                  "claim them, the rest are released after the claim timeout") {
  using namespace core::locks;
  auto at = [](int64_t h) { return core::utc_time{core::millis{h * hour}}; };
  REQUIRE_FALSE(store->persist_lock(lock_request{
      "wiki", "index_kafka_one", "a", {at(0), at(1)}, lock_type::exclusive}));
  REQUIRE_FALSE(store->persist_lock(lock_request{
      "wiki", "index_kafka_gone", "g", {at(1), at(2)}, lock_type::exclusive}));

  lead(kept, true);
  auto j = locks_of(kept);
  REQUIRE(j.find("locks")->as_array().size() == 2);

  // Another group asks for a restored chunk: it waits behind the old holder.
  auto [c, c_log] = client_of(kept);
  caf::anon_send(c, acquire("index_kafka_other", "c", "EXCLUSIVE"));
  sched.run();
  REQUIRE(c_log->replies.size() == 1);
  CHECK_FALSE(c_log->replies[0].granted);
  CHECK(c_log->replies[0].blocked_by == std::vector<std::string>{"index_kafka_one"});

  // The adopted task asks again: still its lock, now watched.
  auto [a, a_log] = client_of(kept);
  caf::anon_send(a, acquire("index_kafka_one", "a", "EXCLUSIVE"));
  sched.run();
  REQUIRE(a_log->replies.size() == 1);
  CHECK(a_log->replies[0].granted);

  // The claim timeout passes: g's lock goes (no task asked), a's stays.
  sched.advance_time(std::chrono::seconds{31});
  sched.run();
  j = locks_of(kept);
  REQUIRE(j.find("locks")->as_array().size() == 1);
  CHECK(j.find("locks")->as_array()[0].find("taskIds")->as_array()[0].as_string() == "a");
  CHECK(kept_tasks() == std::vector<std::string>{"a"});
  CHECK(c_log->granted.empty());

  // a ends: c is granted, and its grant is kept.
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  sched.run();
  REQUIRE(c_log->granted.size() == 1);
  CHECK(kept_tasks() == std::vector<std::string>{"c"});

  // Stepping down forgets everything in memory; the kept rows stay for the
  // next leader.
  lead(kept, false);
  CHECK(locks_of(kept).find("locks")->as_array().empty());
  CHECK(kept_tasks() == std::vector<std::string>{"c"});
}
