#include "actors/manager_actor.hpp"

#include <doctest/doctest.h>

#include "tests/actors/supervisor_fixture.hpp"
#include "tests/spec_cases.hpp"

using namespace sv;
using core::json;

namespace {

core::supervisor_spec spec(const std::string& id, bool suspended = false) {
  auto j = test::patched(test::base_kafka_spec(), "id", json{id});
  j = test::patched(j, "suspended", json{suspended});
  auto r = core::parse_supervisor_spec(j);
  REQUIRE(r.ok());
  return *r.spec;
}

struct manager_fixture : test::supervisor_fixture {
  actors::manager_actor manager;

  void start_manager() {
    manager = actors::spawn_manager(sys, metadata, env());

    to_stop.push_back(caf::actor_cast<caf::actor>(manager));
    sched.run();
  }

  msg::supervisor_list list() {
    auto l = call<msg::supervisor_list>(manager, msg::list_supervisors{});
    REQUIRE(l);
    return *l;
  }
};

}  // namespace

TEST_CASE_FIXTURE(manager_fixture,
                  "the manager loads the latest non-tombstoned spec of every id") {
  REQUIRE(store->append_spec("a", core::to_json(spec("a"))));
  REQUIRE(store->append_spec("b", core::to_json(spec("b"))));
  REQUIRE(store->append_spec("b", core::to_json(spec("b", true))));
  REQUIRE(store->append_spec("c", core::to_json(spec("c"))));
  REQUIRE(store->append_spec("c", core::tombstone_payload({"events"})));
  start_manager();
  auto l = list();
  REQUIRE(l.items.size() == 2);
  CHECK(l.items[0].summary.id == "a");
  CHECK(l.items[0].summary.state == core::detailed_state::pending);
  CHECK(l.items[1].summary.id == "b");
  CHECK(l.items[1].summary.suspended);
  CHECK(l.items[1].summary.state == core::detailed_state::suspended);
}

TEST_CASE_FIXTURE(
    manager_fixture,
    "while the store is unavailable at start the API says so, then recovers") {
  REQUIRE(store->append_spec("a", core::to_json(spec("a"))));
  store->fail_next("latest_specs", 2);
  start_manager();
  auto early = call<msg::supervisor_list>(manager, msg::list_supervisors{});
  REQUIRE_FALSE(early);
  CHECK(core::is(early.error(), core::errc::unavailable));
  CHECK(core::error_message(early.error()).find("injected") != std::string::npos);
  sched.advance_time(std::chrono::seconds{2});  // first retry fails again
  sched.run();
  CHECK_FALSE(call<msg::supervisor_list>(manager, msg::list_supervisors{}));
  sched.advance_time(std::chrono::seconds{2});
  sched.run();
  CHECK(list().items.size() == 1);
  CHECK(store->calls("latest_specs") == 3);
}

TEST_CASE_FIXTURE(manager_fixture,
                  "create persists first; a failed write applies nothing") {
  start_manager();
  store->fail_next("append_spec", 1);
  auto failed = call<msg::create_supervisor_reply>(
      manager, msg::create_supervisor{spec("x"), false, "t"});
  REQUIRE_FALSE(failed);
  CHECK(adapters::is(failed.error(), adapters::errc::store_unavailable));
  CHECK(list().items.empty());
  auto ok = call<msg::create_supervisor_reply>(
      manager, msg::create_supervisor{spec("x"), false, "t"});
  REQUIRE(ok);
  CHECK(ok->id == "x");
  CHECK(ok->restarted);
  CHECK(list().items.size() == 1);
  CHECK(store->spec_history(std::string{"x"}, std::nullopt)->size() == 1);
  auto audit = store->audit(std::string{"x"}, std::nullopt);
  REQUIRE(audit);
  REQUIRE(audit->size() == 1);
  CHECK(audit->front().type == "supervisor.create");
  CHECK(audit->front().author == "t");
}

TEST_CASE_FIXTURE(manager_fixture,
                  "suspend and resume go through the store and reach the supervisor") {
  start_manager();
  REQUIRE(call<msg::create_supervisor_reply>(
      manager, msg::create_supervisor{spec("s"), false, ""}));
  auto suspended = call<json>(manager, msg::set_suspended{"s", true, ""});
  REQUIRE(suspended);
  CHECK(suspended->find("suspended")->as_bool());
  auto report = call<msg::supervisor_report>(manager, msg::get_supervisor_status{"s"});
  REQUIRE(report);
  CHECK(report->summary.state == core::detailed_state::suspended);
  CHECK(report->payload.find("state")->as_string() == "SUSPENDED");
  auto twice = call<json>(manager, msg::set_suspended{"s", true, ""});
  REQUIRE_FALSE(twice);
  CHECK(core::is(twice.error(), core::errc::conflict));
  REQUIRE(call<json>(manager, msg::set_suspended{"s", false, ""}));
  CHECK(list().items[0].summary.state == core::detailed_state::pending);
  CHECK(store->spec_history(std::string{"s"}, std::nullopt)->size() == 3);
}

TEST_CASE_FIXTURE(manager_fixture,
                  "terminate writes a tombstone and forgets the supervisor") {
  start_manager();
  REQUIRE(call<msg::create_supervisor_reply>(
      manager, msg::create_supervisor{spec("t"), false, ""}));
  store->fail_next("append_spec", 1);
  CHECK_FALSE(call<msg::ack>(manager, msg::terminate_supervisor{"t", ""}));
  CHECK(list().items.size() == 1);  // the failed tombstone write kept it
  REQUIRE(call<msg::ack>(manager, msg::terminate_supervisor{"t", ""}));
  CHECK(list().items.empty());
  auto latest = store->latest_specs();
  REQUIRE(latest);
  CHECK(core::is_tombstone(latest->front().payload));
  auto gone = call<msg::supervisor_report>(manager, msg::get_supervisor_status{"t"});
  REQUIRE_FALSE(gone);
  CHECK(core::is(gone.error(), core::errc::not_found));
}

TEST_CASE_FIXTURE(manager_fixture,
                  "an update that changes the topic is refused with Druid's advice") {
  start_manager();
  REQUIRE(call<msg::create_supervisor_reply>(
      manager, msg::create_supervisor{spec("u"), false, ""}));
  auto other = spec("u");
  other.io.topic = "elsewhere";
  auto r = call<msg::create_supervisor_reply>(manager,
                                              msg::create_supervisor{other, false, ""});
  REQUIRE_FALSE(r);
  CHECK(core::is(r.error(), core::errc::invalid_input));
  CHECK(core::error_message(r.error()).find("Suspend this supervisor") !=
        std::string::npos);
}

TEST_CASE_FIXTURE(manager_fixture,
                  "a backfill supervisor is created with its transaction, and not over "
                  "an id that runs or ever ran") {
  REQUIRE(store->append_spec("gone", core::to_json(spec("gone"))));
  REQUIRE(store->append_spec("gone", core::tombstone_payload({"events"})));
  start_manager();
  REQUIRE(call<msg::create_supervisor_reply>(
      manager, msg::create_supervisor{spec("main"), false, "test"}));
  auto begin = [](const std::string& id) {
    core::audit_record audit;
    audit.key = "main";
    audit.type = "supervisor.resetToLatestAndBackfill";
    return msg::md_begin_backfill{"main",   "kafka",
                                  "events", core::offset_jump{{{"0", 10}}, {{"0", 90}}},
                                  id,       core::to_json(spec(id)),
                                  audit};
  };
  // Over a running supervisor and over a terminated one: refused, nothing written.
  for (std::string id : {"main", "gone"}) {
    CAPTURE(id);
    auto r =
        call<msg::ack>(manager, msg::create_backfill_supervisor{begin(id), spec(id)});
    REQUIRE_FALSE(r);
    CHECK(core::is(r.error(), core::errc::conflict));
    auto row = store->committed_offsets("main");
    CHECK((!row->has_value() || (*row)->jump.empty()));
    CHECK(store->audit(std::string{"main"}, 10)->size() == 1);  // the create
  }
  // A fresh id: committed, then running (listed) when the call returns.
  auto ok = call<msg::ack>(
      manager, msg::create_backfill_supervisor{begin("main_bf"), spec("main_bf")});
  REQUIRE(ok);
  auto ids = list().items;
  REQUIRE(ids.size() == 2);
  CHECK(ids[1].summary.id == "main_bf");
  CHECK((*store->committed_offsets("main"))->jump.from.at("0") == 10);
}
