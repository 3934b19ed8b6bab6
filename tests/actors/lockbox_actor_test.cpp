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
    auto log = std::make_shared<client_log>();
    auto a = sys.spawn(lock_client_behavior, lockbox, log);
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
