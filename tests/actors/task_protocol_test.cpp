// The task chat API on a streaming task (no end offsets up front).

#include <fstream>

#include <doctest/doctest.h>

#include "actors/lockbox_actor.hpp"
#include "tests/actors/task_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::offset_map;

namespace {

template <class Reply, class Req>
Reply ask(caf::actor_system& sys, const actors::task_actor& t, Req req) {
  caf::scoped_actor self{sys};
  std::optional<Reply> out;
  std::string err;
  self->request(t, 30s, std::move(req))
      .receive([&](Reply& r) { out = std::move(r); },
               [&](caf::error& e) { err = core::error_message(e); });
  REQUIRE_MESSAGE(out, err);
  return std::move(*out);
}

// The conflict error `req` got ("" when it was accepted or failed otherwise).
template <class Reply, class Req>
std::string refusal(caf::actor_system& sys, const actors::task_actor& t, Req req) {
  caf::scoped_actor self{sys};
  std::string why;
  self->request(t, 30s, std::move(req))
      .receive([](Reply&) {},
               [&](caf::error& e) {
                 if (core::is(e, core::errc::conflict)) why = core::error_message(e);
               });
  return why;
}

// Polls a condition through the task's own API (a request per round trip,
// bounded by a deadline): waits on the task's progress, not on a timer.
template <class F>
void until(F done, std::chrono::seconds limit = 30s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      FAIL("condition not reached in time");
    std::this_thread::sleep_for(2ms);  // poll interval only; the condition decides
  }
}

}  // namespace

TEST_CASE_FIXTURE(test::task_fixture, "pause, offsets, checkpoint, resume and stop") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  auto ids = produce("t", 2, 100);
  auto t = actors::spawn_task(
      *sys, spec("stream", "t", {{"0", 0}, {"1", 0}}, std::nullopt), env());
  until([&] {
    return ask<msg::offsets_msg>(*sys, t, msg::get_current_offsets{}).offsets ==
           offset_map{{"0", 100}, {"1", 100}};
  });
  CHECK(ask<msg::task_status_reply>(*sys, t, msg::get_task_status{}).status == "READING");
  auto paused = ask<msg::offsets_msg>(*sys, t, msg::pause_task{});
  CHECK(paused.offsets == offset_map{{"0", 100}, {"1", 100}});
  CHECK(ask<msg::task_status_reply>(*sys, t, msg::get_task_status{}).status == "PAUSED");
  {
    caf::scoped_actor self{*sys};
    bool refused = false;
    // End offsets below the current position are refused.
    self->request(t, 30s,
                  msg::set_end_offsets{{{"0", 50}, {"1", 100}}, false, std::nullopt})
        .receive(
            [](msg::ack&) {},
            [&](caf::error& e) { refused = core::is(e, core::errc::invalid_input); });
    CHECK(refused);
  }
  // Checkpoint at the current offsets: the first sequence publishes, reading goes on.
  ask<msg::ack>(*sys, t,
                msg::set_end_offsets{{{"0", 100}, {"1", 100}}, false, std::nullopt});
  until([&] { return check->committed_offsets("sup")->has_value(); });
  CHECK((*check->committed_offsets("sup"))->offsets ==
        offset_map{{"0", 100}, {"1", 100}});
  auto cps = ask<msg::checkpoints_msg>(*sys, t, msg::get_checkpoints{});
  REQUIRE(cps.checkpoints.size() == 2);
  CHECK(cps.checkpoints[1] == offset_map{{"0", 100}, {"1", 100}});
  CHECK(ask<msg::task_status_reply>(*sys, t, msg::get_task_status{}).status == "READING");
  // More data, then a graceful stop publishes what was read.
  auto more = produce("t", 2, 50, "second");
  until([&] {
    return ask<msg::offsets_msg>(*sys, t, msg::get_current_offsets{}).offsets ==
           offset_map{{"0", 150}, {"1", 150}};
  });
  auto stats = ask<core::json>(*sys, t, msg::get_row_stats{});
  CHECK(stats.find("totals")->find("buildSegments")->find("processed")->as_int() == 300);
  ask<msg::ack>(*sys, t, msg::stop_task{});
  caf::scoped_actor self{*sys};
  self->wait_for(t);
  CHECK(row("stream").status == "SUCCESS");
  CHECK((*check->committed_offsets("sup"))->offsets ==
        offset_map{{"0", 150}, {"1", 150}});
  auto published = published_ids();
  CHECK(published.size() == 300);
  CHECK(std::set<std::string>(published.begin(), published.end()).size() == 300);
}

TEST_CASE_FIXTURE(
    test::task_fixture,
    "without a supervisor, reaching maxRowsPerSegment hands off by itself") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  auto ids = produce("t", 1, 250);
  auto row_ = run(spec("handoff", "t", {{"0", 0}}, offset_map{{"0", 250}},
                       R"({"type":"kafka","maxRowsPerSegment":100})"));
  CHECK(row_.status == "SUCCESS");
  auto published = row_.report.find("ingestionStatsAndErrors")
                       ->find("payload")
                       ->find("publishedSegments");
  CHECK(published->as_array().size() >= 3);  // several sequences, each published
  CHECK(published_ids().size() == 250);
}

namespace {

// A minimal supervisor stand-in: on checkpoint_requested it sets the group's
// end offsets to the task's current position (as the supervisor does for
// replicas: the maximum), and answers predecessor queries "no".
actors::task_listener::behavior_type fake_supervisor(
    actors::task_listener::pointer self, std::shared_ptr<std::atomic<int>> checkpoints) {
  return {
      [=](msg::checkpoint_requested& m) {
        ++*checkpoints;
        auto task = caf::actor_cast<actors::task_actor>(self->current_sender());
        self->request(task, 30s, msg::get_current_offsets{})
            .then([=](msg::offsets_msg& pos) {
              self->request(task, 30s,
                            msg::set_end_offsets{pos.offsets, false, std::nullopt})
                  .then([](msg::ack&) {});
            });
        (void)m;
      },
      [](msg::task_finished&) {},
      [](msg::task_lock_wait&) {},
      [](msg::task_problem&) {},
      [](msg::predecessor_query&) { return false; },

  };
}

}  // namespace

TEST_CASE_FIXTURE(test::task_fixture,
                  "with a supervisor, a task asks for its checkpoint and waits paused") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  auto ids = produce("t", 1, 250);
  auto count = std::make_shared<std::atomic<int>>(0);
  auto sup = sys->spawn(fake_supervisor, count);
  auto t = spec("asks", "t", {{"0", 0}}, offset_map{{"0", 250}},
                R"({"type":"kafka","maxRowsPerSegment":100})");
  // With a final end known the task never asks; make it a streaming task and stop it
  // later.
  t.end.reset();
  auto task = actors::spawn_task(*sys, t, env(sup));
  until([&] {
    return ask<msg::offsets_msg>(*sys, task, msg::get_current_offsets{}).offsets ==
           offset_map{{"0", 250}};
  });
  until([&] { return check->committed_offsets("sup")->has_value(); });
  CHECK(*count >= 1);
  ask<msg::ack>(*sys, task, msg::stop_task{});
  caf::scoped_actor self{*sys};
  self->wait_for(task);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  CHECK(row("asks").status == "SUCCESS");
  CHECK((*check->committed_offsets("sup"))->offsets == offset_map{{"0", 250}});
  CHECK(published_ids().size() == 250);
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "commands of a leader older than the one that placed or adopted the "
                  "task are refused and change nothing") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 2));
  produce("t", 2, 20);
  auto e = env();
  e.epoch = 3;  // placed by the supervisor of leader epoch 3
  auto t = actors::spawn_task(
      *sys, spec("epochs", "t", {{"0", 0}, {"1", 0}}, std::nullopt), std::move(e));
  until([&] {
    return ask<msg::offsets_msg>(*sys, t, msg::get_current_offsets{}).offsets ==
           offset_map{{"0", 20}, {"1", 20}};
  });
  auto status = [&] {
    return ask<msg::task_status_reply>(*sys, t, msg::get_task_status{}).status;
  };
  CHECK(refusal<msg::offsets_msg>(*sys, t, msg::pause_task{2})
            .find("leader epoch 2: epoch 3 leads") != std::string::npos);
  CHECK(status() == "READING");
  ask<msg::offsets_msg>(*sys, t, msg::pause_task{3});
  CHECK(status() == "PAUSED");
  // Adopted by the leader of epoch 4: epoch 3 is deposed.
  caf::scoped_actor owner{*sys};
  ask<msg::ack>(
      *sys, t,
      msg::set_listener{caf::actor_cast<caf::strong_actor_ptr>(owner), 4, nullptr});
  CHECK_FALSE(
      refusal<msg::ack>(
          *sys, t,
          msg::set_listener{caf::actor_cast<caf::strong_actor_ptr>(owner), 3, nullptr})
          .empty());
  CHECK_FALSE(
      refusal<msg::ack>(
          *sys, t, msg::set_end_offsets{{{"0", 20}, {"1", 20}}, true, std::nullopt, 3})
          .empty());
  CHECK_FALSE(refusal<msg::ack>(*sys, t, msg::resume_task{3}).empty());
  CHECK(status() == "PAUSED");
  CHECK(ask<msg::offsets_msg>(*sys, t, msg::get_end_offsets{}).offsets.empty());
  ask<msg::ack>(*sys, t, msg::resume_task{4});
  CHECK(status() == "READING");
  ask<msg::ack>(*sys, t, msg::stop_task{});
  caf::scoped_actor self{*sys};
  self->wait_for(t);
  CHECK(row("epochs").status == "SUCCESS");
}

TEST_CASE_FIXTURE(test::task_fixture,
                  "a task whose lockbox refuses asks again, and asks the lockbox of the "
                  "leader that adopts it for every chunk") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 1));
  auto ids = produce("t", 1, 30);
  // A standby overlord's lockbox: it grants nothing.
  actors::lockbox_config standby;
  standby.metadata = metadata;
  standby.leading = false;
  auto refusing = actors::spawn_lockbox(*sys, standby);
  auto granting = actors::spawn_lockbox(*sys);
  auto e = env();
  e.lockbox = refusing;
  e.log_dir = (dir / "logs").string();
  offset_map start{{"0", 0}}, end{{"0", 30}};
  auto t = actors::spawn_task(*sys, spec("relock", "t", start, end), std::move(e));
  auto log = [&] {
    std::ifstream in{dir / "logs" / "relock.log"};
    return std::string{std::istreambuf_iterator<char>{in}, {}};
  };
  // Its first batch waits for a lock it cannot get; the task neither fails
  // nor reads on.
  until(
      [&] { return log().find("cannot get its time-chunk lock") != std::string::npos; });
  CHECK(log().find("does not lead the cluster") != std::string::npos);
  CHECK(ask<msg::task_status_reply>(*sys, t, msg::get_task_status{}).status == "READING");
  CHECK(store->calls("publish") == 0);
  // Adopted with the new leader's lockbox: it asks there, gets its chunk,
  // publishes and ends.
  caf::scoped_actor owner{*sys};
  ask<msg::ack>(*sys, t,
                msg::set_listener{caf::actor_cast<caf::strong_actor_ptr>(owner), 1,
                                  caf::actor_cast<caf::strong_actor_ptr>(granting)});
  caf::scoped_actor self{*sys};
  self->wait_for(t);
  CHECK(row("relock").status == "SUCCESS");
  CHECK(published_ids() == std::multiset<std::string>(ids[0].begin(), ids[0].end()));
  caf::anon_send_exit(refusing, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(granting, caf::exit_reason::user_shutdown);
}
