// The lock table: Druid's compatibility matrix between groups, shared locks
// within a group, waiting in arrival order, release on task end.

#include <doctest/doctest.h>

#include "core/locks/lock_table.hpp"

using namespace sv::core;
using namespace sv::core::locks;

namespace {

utc_time hour(int h) {
  return utc_time{millis{int64_t{h} * 3600 * 1000}};
}
time_interval hours(int from, int to) {
  return {hour(from), hour(to)};
}

lock_request req(std::string group, std::string task, lock_type t,
                 time_interval i = hours(0, 1), std::string ds = "wiki") {
  return lock_request{std::move(ds), std::move(group), std::move(task), i, t};
}

constexpr auto X = lock_type::exclusive;
constexpr auto S = lock_type::shared;
constexpr auto A = lock_type::append;
constexpr auto R = lock_type::replace;

}  // namespace

TEST_CASE("lock types: names both ways, any case") {
  for (auto t : {X, S, A, R}) CHECK(parse_lock_type(to_string(t)) == t);
  CHECK(parse_lock_type("append") == A);
  CHECK_FALSE(parse_lock_type("TIME_CHUNK").has_value());
}

TEST_CASE("compatibility: Druid's matrix on one interval") {
  // held (row) x wanted (column), same interval, different groups.
  struct row {
    lock_type held;
    bool x, s, a, r;
  };
  for (auto [held, x, s, a, r] :
       {row{X, false, false, false, false}, row{S, false, true, false, false},
        row{A, false, false, true, true}, row{R, false, false, true, false}}) {
    INFO("held " << to_string(held));
    CHECK(compatible(held, hours(0, 1), X, hours(0, 1)) == x);
    CHECK(compatible(held, hours(0, 1), S, hours(0, 1)) == s);
    CHECK(compatible(held, hours(0, 1), A, hours(0, 1)) == a);
    CHECK(compatible(held, hours(0, 1), R, hours(0, 1)) == r);
  }
}

TEST_CASE("compatibility: REPLACE and APPEND depend on which encloses which") {
  // An APPEND inside a held REPLACE is fine; one sticking out is not.
  CHECK(compatible(R, hours(0, 24), A, hours(3, 4)));
  CHECK_FALSE(compatible(R, hours(3, 4), A, hours(0, 24)));
  // A REPLACE must enclose every APPEND it overlaps.
  CHECK(compatible(A, hours(3, 4), R, hours(0, 24)));
  CHECK_FALSE(compatible(A, hours(0, 24), R, hours(3, 4)));
  // Intervals that do not overlap never conflict (half-open: 1 h touches 1 h).
  CHECK(compatible(X, hours(0, 1), X, hours(1, 2)));
  CHECK_FALSE(compatible(X, hours(0, 2), X, hours(1, 2)));
}

TEST_CASE("lock table: one group shares its locks; another group waits") {
  lock_table t;
  CHECK(t.acquire(1, req("index_kafka_a", "a1", X)).granted);
  CHECK(t.acquire(2, req("index_kafka_a", "a2", X)).granted);  // same group
  REQUIRE(t.held().size() == 1);
  CHECK(t.held()[0].tasks == std::vector<std::string>{"a1", "a2"});

  auto d = t.acquire(3, req("index_kafka_b", "b1", X));
  CHECK_FALSE(d.granted);
  CHECK(d.blocked_by == std::vector<std::string>{"index_kafka_a"});
  CHECK(t.is_waiting("b1"));
  // Another datasource or another interval is free.
  CHECK(t.acquire(4, req("index_kafka_b", "b1", X, hours(0, 1), "other")).granted);
  CHECK(t.acquire(5, req("index_kafka_b", "b1", X, hours(1, 2))).granted);

  // b1 waits until every task of group a let go.
  CHECK(t.release_task("a1").empty());
  CHECK(t.is_waiting("b1"));
  CHECK(t.release_task("a2") == std::vector<lock_table::ticket>{3});
  CHECK_FALSE(t.is_waiting("b1"));
  CHECK(t.blockers(req("index_kafka_a", "a3", S)) ==
        std::vector<std::string>{"index_kafka_b"});
}

TEST_CASE("lock table: appending groups write together; a REPLACE waits for them") {
  lock_table t;
  CHECK(t.acquire(1, req("index_kafka_main", "m1", A)).granted);
  CHECK(t.acquire(2, req("index_kafka_main_backfill_x", "b1", A)).granted);
  CHECK(t.held().size() == 2);
  // A compaction's REPLACE over the day encloses both APPEND locks: granted.
  CHECK(t.acquire(3, req("compact", "c1", R, hours(0, 24))).granted);
  // An EXCLUSIVE writer waits for all three groups.
  auto d = t.acquire(4, req("index_kafka_other", "o1", X, hours(0, 24)));
  CHECK_FALSE(d.granted);
  CHECK(d.blocked_by.size() == 3);
  // An APPEND sticking out of the REPLACE waits for it too.
  CHECK_FALSE(t.acquire(5, req("index_kafka_main", "m2", A, hours(23, 25))).granted);
  CHECK(t.release_task("c1") == std::vector<lock_table::ticket>{5});
  t.release_task("m1");
  t.release_task("m2");
  CHECK(t.release_task("b1") == std::vector<lock_table::ticket>{4});
}

TEST_CASE(
    "lock table: waiters are granted oldest first, and a grant can block a later one") {
  lock_table t;
  CHECK(t.acquire(1, req("g1", "t1", X)).granted);
  CHECK_FALSE(t.acquire(2, req("g2", "t2", X)).granted);
  CHECK_FALSE(t.acquire(3, req("g3", "t3", X)).granted);
  CHECK(t.release_task("t1") == std::vector<lock_table::ticket>{2});
  CHECK(t.is_waiting("t3"));
  // A task that ends while waiting leaves the queue.
  t.release_task("t3");
  CHECK(t.waiting().empty());
}

TEST_CASE("lock table: the snapshot names locks, waiters and what blocks them") {
  lock_table t;
  t.acquire(1, req("index_kafka_a", "a1", X));
  t.acquire(2, req("index_kafka_b", "b1", S));
  auto j = t.to_json();
  const auto& locks = j.find("locks")->as_array();
  REQUIRE(locks.size() == 1);
  CHECK(locks[0].find("type")->as_string() == "EXCLUSIVE");
  CHECK(locks[0].find("interval")->as_string() ==
        "1970-01-01T00:00:00.000Z/1970-01-01T01:00:00.000Z");
  const auto& waiting = j.find("waiting")->as_array();
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0].find("taskId")->as_string() == "b1");
  CHECK(waiting[0].find("blockedBy")->as_array()[0].as_string() == "index_kafka_a");
}

TEST_CASE("lock table: restored locks block other groups until their tasks release") {
  lock_table t;
  t.restore(req("index_kafka_a", "a1", X));
  t.restore(req("index_kafka_a", "a2", X));  // one lock, two tasks
  t.restore(req("index_kafka_b", "b1", A, hours(5, 6)));
  REQUIRE(t.held().size() == 2);
  CHECK(t.held()[0].tasks == std::vector<std::string>{"a1", "a2"});
  CHECK(t.holds("a2"));
  CHECK_FALSE(t.holds("c1"));
  // A re-request of a restored lock by its task is granted and adds nothing.
  CHECK(t.acquire(1, req("index_kafka_a", "a1", X)).granted);
  CHECK(t.held().size() == 2);
  CHECK_FALSE(t.acquire(2, req("index_kafka_c", "c1", S)).granted);
  CHECK(t.release_task("a1").empty());
  CHECK(t.release_task("a2") == std::vector<lock_table::ticket>{2});
  CHECK_FALSE(t.holds("a1"));
}
