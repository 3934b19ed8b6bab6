// Who may do what (core/auth): permission patterns match whole names, roles
// grant per type and action, the document survives a round trip, Druid's
// management messages, and the per-client limits with time passed in.

#include <doctest/doctest.h>

#include "core/auth/auth_db.hpp"
#include "core/auth/limits.hpp"
#include "core/auth/management.hpp"
#include "core/errc.hpp"

using namespace sv::core;
using namespace std::chrono_literals;

namespace {

auth::permission perm(const std::string& type, const std::string& pattern, auth::action a) {
  auto j = json::make_object(
      {{"resource", json::make_object({{"name", pattern}, {"type", type}})},
       {"action", a == auth::action::read ? "READ" : "WRITE"}});
  return *auth::permission_from_json(j, "p");
}

auth::auth_db people() {
  auto db = auth::initial_db({"salt", "hash", 1});
  REQUIRE_FALSE(auth::create_user(db, "ann"));
  REQUIRE_FALSE(auth::create_role(db, "wiki_reader"));
  REQUIRE_FALSE(auth::set_permissions(
      db, "wiki_reader", {perm(auth::datasource, "wiki.*", auth::action::read)}));
  REQUIRE_FALSE(auth::assign_role(db, "ann", "wiki_reader"));
  return db;
}

}  // namespace

TEST_CASE("auth: a role grants its type and action on names matching the whole pattern") {
  auto db = people();
  auto ds = [](const std::string& n) { return auth::resource{n, auth::datasource}; };
  CHECK(auth::allowed(db, "ann", ds("wiki_edits"), auth::action::read));
  CHECK_FALSE(auth::allowed(db, "ann", ds("wiki_edits"), auth::action::write));
  CHECK_FALSE(auth::allowed(db, "ann", ds("old_wiki"), auth::action::read));  // whole name
  CHECK_FALSE(auth::allowed(db, "ann", {"STATE", auth::state}, auth::action::read));
  CHECK_FALSE(auth::allowed(db, "bob", ds("wiki"), auth::action::read));
  CHECK(auth::allowed(db, "admin", ds("anything"), auth::action::write));
  CHECK(auth::allowed(db, "admin", {"security", auth::config}, auth::action::write));
}

TEST_CASE("auth: the document round-trips with its compiled patterns") {
  auto db = people();
  auto back = auth::auth_db_from_json(*json::parse(auth::to_json(db).dump()));
  REQUIRE(back);
  CHECK(auth::to_json(*back) == auth::to_json(db));
  CHECK(auth::allowed(*back, "ann", {"wiki_x", auth::datasource}, auth::action::read));
  REQUIRE(back->logins.at("admin"));
  CHECK(back->logins.at("admin")->iterations == 1);
}

TEST_CASE("auth: Druid's management errors") {
  auto db = people();
  auto msg = [](const caf::error& e) { return error_message(e); };
  CHECK(msg(auth::create_user(db, "ann")) == "User [ann] already exists.");
  CHECK(msg(auth::assign_role(db, "ghost", "wiki_reader")) == "User [ghost] does not exist.");
  CHECK(msg(auth::assign_role(db, "ann", "nope")) == "Role [nope] does not exist.");
  CHECK(msg(auth::assign_role(db, "ann", "wiki_reader")) ==
        "User [ann] already has role [wiki_reader].");
  CHECK(is(auth::create_login(db, ""), errc::invalid_input));
  CHECK(is(auth::create_role(db, std::string{"a\nb"}), errc::invalid_input));
  REQUIRE_FALSE(auth::delete_role(db, "wiki_reader"));
  CHECK(db.users.at("ann").empty());
  auto bad = auth::permission_from_json(
      *json::parse(R"({"resource":{"name":"x","type":"TABLE"},"action":"READ"})"), "[2]");
  REQUIRE_FALSE(bad);
  CHECK(msg(bad.error()).rfind("[2].resource.type: ", 0) == 0);
  auto no_action = auth::permission_from_json(
      *json::parse(R"({"resource":{"name":"x","type":"STATE"},"action":"ALL"})"), "p");
  CHECK_FALSE(no_action);
}

TEST_CASE("auth: failed sign-ins block a client, longer each time; success clears") {
  auth::sign_in_guard g{{3, 60s, 10s, 25s, 100}};
  auto t = std::chrono::steady_clock::time_point{} + 1000s;
  CHECK_FALSE(g.failed("a", t));
  CHECK_FALSE(g.failed("a", t + 1s));
  CHECK(g.failed("a", t + 2s));
  CHECK(g.wait("a", t + 2s) == 10s);
  CHECK(g.wait("b", t + 2s) == 0ms);  // others are not affected
  CHECK(g.wait("a", t + 12s) == 0ms);
  for (int i = 0; i < 2; ++i) CHECK_FALSE(g.failed("a", t + 13s));
  CHECK(g.failed("a", t + 13s));
  CHECK(g.wait("a", t + 13s) == 20s);  // doubled
  for (int i = 0; i < 3; ++i) g.failed("a", t + 40s);
  CHECK(g.wait("a", t + 40s) == 25s);  // capped
  g.succeeded("a");
  CHECK(g.wait("a", t + 41s) == 0ms);
  // Failures further apart than the window do not add up.
  CHECK_FALSE(g.failed("c", t));
  CHECK_FALSE(g.failed("c", t + 61s));
  CHECK_FALSE(g.failed("c", t + 122s));
}

TEST_CASE("auth: memory stays bounded under a flood of client addresses") {
  auth::sign_in_guard g{{5, 60s, 10s, 60s, 50}};
  auth::request_rate r{1, 2, 50};
  auto t = std::chrono::steady_clock::time_point{} + 1000s;
  for (int i = 0; i < 1000; ++i) {
    g.failed("10.0.0." + std::to_string(i), t);
    r.admit("10.0.1." + std::to_string(i), t);
  }
  CHECK(g.clients() <= 50);
}

TEST_CASE("auth: the request rate is a token bucket per client") {
  auth::request_rate r{2, 3};
  auto t = std::chrono::steady_clock::time_point{} + 1000s;
  for (int i = 0; i < 3; ++i) CHECK(r.admit("a", t));
  CHECK_FALSE(r.admit("a", t));
  CHECK(r.admit("b", t));
  CHECK(r.admit("a", t + 500ms));  // one token back after 0.5 s at 2/s
  CHECK_FALSE(r.admit("a", t + 500ms));
  CHECK(auth::request_rate(0, 1).admit("x", t));  // no limit
}
