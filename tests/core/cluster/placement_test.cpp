#include <doctest/doctest.h>

#include "core/cluster/placement.hpp"

using namespace sv::core::cluster;

namespace {

std::vector<worker_slots> three_workers() {
  return {
      {"w1", 2, 0, {}, true, {}}, {"w2", 2, 0, {}, true, {}}, {"w3", 2, 0, {}, true, {}}};
}

std::string worker_of(const placement& p, const std::string& task) {
  for (const auto& [t, w] : p.assigned)
    if (t == task) return w;
  return {};
}

}  // namespace

TEST_CASE("placement: each task goes to the worker with the most free slots") {
  std::vector<worker_slots> ws = {
      {"w1", 4, 3, {}, true, {}}, {"w2", 4, 1, {}, true, {}}, {"w3", 4, 2, {}, true, {}}};
  auto p = place(ws, {{"a", "g1", ""}, {"b", "g2", ""}, {"c", "g3", ""}});
  CHECK(worker_of(p, "a") == "w2");  // 3 free
  CHECK(worker_of(p, "b") == "w2");  // w2 2 free, w3 2 free: the smaller id
  CHECK(worker_of(p, "c") == "w3");  // w3 2 free, w2 1
  CHECK(p.pending.empty());
  CHECK(ws[0].used == 3);
  CHECK(ws[1].used == 3);
  CHECK(ws[2].used == 3);
}

TEST_CASE("placement: replicas of one group land on distinct workers, or wait") {
  auto ws = three_workers();
  auto p = place(ws, {{"g0-r0", "g0", ""},
                      {"g0-r1", "g0", ""},
                      {"g0-r2", "g0", ""},
                      {"g0-r3", "g0", ""}});
  REQUIRE(p.assigned.size() == 3);
  std::set<std::string> used;
  for (const auto& [_, w] : p.assigned) used.insert(w);
  CHECK(used.size() == 3);
  // A fourth replica has no worker without one: it waits, though slots are free.
  CHECK(p.pending == std::vector<std::string>{"g0-r3"});
}

TEST_CASE(
    "placement: full and disabled workers take nothing; the rest stays pending "
    "in order") {
  std::vector<worker_slots> ws = {{"w1", 1, 1, {}, true, {}},
                                  {"w2", 3, 0, {}, false, {}},
                                  {"w3", 2, 0, {}, true, {}}};
  auto p =
      place(ws, {{"a", "ga", ""}, {"b", "gb", ""}, {"c", "gc", ""}, {"d", "gd", ""}});
  CHECK(worker_of(p, "a") == "w3");
  CHECK(worker_of(p, "b") == "w3");
  CHECK(p.pending == std::vector<std::string>{"c", "d"});
  CHECK(ws[1].used == 0);
}

TEST_CASE(
    "placement: a group already running on a worker keeps its other replicas "
    "away from it") {
  std::vector<worker_slots> ws = {{"w1", 4, 1, {"g7"}, true, {}},
                                  {"w2", 4, 3, {}, true, {}}};
  auto p = place(ws, {{"g7-r1", "g7", ""}});
  CHECK(worker_of(p, "g7-r1") == "w2");  // fewer free slots, but w1 runs g7
}

TEST_CASE(
    "placement: a supervisor's tasks spread over the workers before filling the "
    "freest one") {
  // Worker a still runs an ending task of cl's group 1; b has just freed its
  // slot. The new cl tasks both land on b (group 1 may not go to a), which
  // leaves a with more free slots. By free slots alone, both backfill tasks
  // would then go to a; spread first, they read on both workers.
  std::vector<worker_slots> ws = {{"a", 3, 1, {"cl/1"}, true, {{"cl", 1}}},
                                  {"b", 3, 0, {}, true, {}}};
  auto p = place(ws, {{"cl-0", "cl/0", "cl"},
                      {"cl-1", "cl/1", "cl"},
                      {"bf-0", "bf/0", "bf"},
                      {"bf-1", "bf/1", "bf"}});
  CHECK(worker_of(p, "cl-0") == "b");  // fewer cl tasks
  CHECK(worker_of(p, "cl-1") == "b");  // its group runs on a
  CHECK(worker_of(p, "bf-0") == "a");  // no bf task anywhere: more free slots
  CHECK(worker_of(p, "bf-1") == "b");  // a runs a bf task, b none
  CHECK(ws[0].per_supervisor.at("bf") == 1);
  CHECK(ws[1].per_supervisor.at("bf") == 1);
  // Spreading never overfills: with one slot left, on a, the next bf task
  // goes there although a already runs one of bf's.
  auto q = place(ws, {{"bf-2", "bf/2", "bf"}});
  CHECK(worker_of(q, "bf-2") == "a");
  CHECK(ws[0].used == 3);
  CHECK(ws[1].used == 3);
}

TEST_CASE("placement: no workers, every task pending") {
  std::vector<worker_slots> none;
  auto p = place(none, {{"a", "g", ""}, {"b", "g", ""}});
  CHECK(p.assigned.empty());
  CHECK(p.pending.size() == 2);
}

TEST_CASE("a worker that keeps refusing is asked less and less often, up to a limit") {
  using std::chrono::milliseconds;
  const milliseconds hb{1000}, cap{30000};
  CHECK(reconnect_delay(0, hb, cap) == milliseconds{0});
  CHECK(reconnect_delay(1, hb, cap) == milliseconds{1000});
  CHECK(reconnect_delay(2, hb, cap) == milliseconds{2000});
  CHECK(reconnect_delay(5, hb, cap) == milliseconds{16000});
  CHECK(reconnect_delay(6, hb, cap) == cap);
  CHECK(reconnect_delay(1000000, hb, cap) == cap);
  CHECK(reconnect_delay(3, milliseconds{40000}, cap) == cap);
}
