// Tasks on the node's shared stream clients (task_env::shared): scheduled
// actors reading through their own queues on one client per cluster.

#include <filesystem>

#include <doctest/doctest.h>

#include "actors/task/task_env.hpp"
#include "tests/actors/task_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::offset_map;

namespace {

long threads_now() {
  long n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator{"/proc/self/task"})
    ++n;
  return n;
}

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

// Polls the tasks' own API until `done`, bounded by a deadline.
template <class F>
void until(F done, std::chrono::seconds limit = 30s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      FAIL("condition not reached in time");
    std::this_thread::sleep_for(2ms);  // poll interval only; the condition decides
  }
}

struct shared_fixture : test::task_fixture {
  std::shared_ptr<actors::shared_stream_clients> clients =
      actors::make_shared_stream_clients();

  actors::task_env shared_env() {
    auto e = env();
    e.shared = clients;
    return e;
  }

  // A task of supervisor `sup` over one partition of `topic`.
  core::task::task_spec one_partition(const std::string& sup, const std::string& topic,
                                      const std::string& p, int64_t start,
                                      std::optional<int64_t> end,
                                      const std::string& prefetch_kbytes = "") {
    auto t = spec(sup + "-task", topic, {{p, start}},
                  end ? std::optional{offset_map{{p, *end}}} : std::nullopt);
    t.supervisor_id = sup;
    if (!prefetch_kbytes.empty())
      t.spec.io.consumer_properties->push_back(
          {"queued.max.messages.kbytes", core::json{prefetch_kbytes}});
    REQUIRE(actors::reads_shared(t, shared_env()));
    return t;
  }
};

std::multiset<std::string> all_of(const std::vector<std::vector<std::string>>& ids) {
  std::multiset<std::string> out;
  for (const auto& p : ids) out.insert(p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE_FIXTURE(shared_fixture,
                  "eight tasks on one shared client read their partitions exactly once "
                  "without a thread each") {
  REQUIRE_FALSE(kafka.cluster->create_topic("t", 8));
  auto ids = produce("t", 8, 200);
  auto before = threads_now();
  std::vector<actors::task_actor> tasks;
  for (int p = 0; p < 8; ++p)
    tasks.push_back(actors::spawn_task(
        *sys, one_partition("s" + std::to_string(p), "t", std::to_string(p), 0, {}),
        shared_env()));
  for (int p = 0; p < 8; ++p)
    until([&] {
      return ask<msg::offsets_msg>(*sys, tasks[static_cast<size_t>(p)],
                                   msg::get_current_offsets{})
                 .offsets == offset_map{{std::to_string(p), 200}};
    });
  // Detached tasks with a client each would have added about five threads
  // per task; these share one client and the scheduler's threads.
  auto added = threads_now() - before;
  MESSAGE("threads added by 8 shared tasks: " << added);
  CHECK(added <= 12);
  for (auto& t : tasks) ask<msg::ack>(*sys, t, msg::stop_task{});
  {
    caf::scoped_actor self{*sys};
    for (auto& t : tasks) self->wait_for(t);
  }
  for (int p = 0; p < 8; ++p) {
    auto sup = "s" + std::to_string(p);
    CHECK(row(sup + "-task").status == "SUCCESS");
    auto committed = check->committed_offsets(sup);
    REQUIRE(committed);
    REQUIRE(committed->has_value());
    CHECK((*committed)->offsets == offset_map{{std::to_string(p), 200}});
  }
  CHECK(published_ids() == all_of(ids));
}

TEST_CASE_FIXTURE(shared_fixture,
                  "a paused task on the shared client does not stall another, and "
                  "loses nothing of what arrived while it was paused") {
  REQUIRE_FALSE(kafka.cluster->create_topic("slow", 1));
  REQUIRE_FALSE(kafka.cluster->create_topic("fast", 1));
  // A small prefetch: the paused task's queue fills after a few hundred
  // events, and the client must go on fetching for the other.
  auto slow = actors::spawn_task(*sys, one_partition("a", "slow", "0", 0, {}, "64"),
                                 shared_env());
  auto paused = ask<msg::offsets_msg>(*sys, slow, msg::pause_task{});
  CHECK(paused.offsets == offset_map{{"0", 0}});
  auto slow_ids = produce("slow", 1, 3000, "slow");
  auto fast_ids = produce("fast", 1, 2000, "fast");
  auto fast = actors::spawn_task(*sys, one_partition("b", "fast", "0", 0, 2000, "64"),
                                 shared_env());
  {
    caf::scoped_actor self{*sys};
    self->wait_for(fast);
  }
  CHECK(row("b-task").status == "SUCCESS");
  CHECK(ask<msg::offsets_msg>(*sys, slow, msg::get_current_offsets{}).offsets ==
        offset_map{{"0", 0}});
  // Resumed, it reads everything that waited for it, once.
  ask<msg::ack>(*sys, slow, msg::resume_task{});
  until([&] {
    return ask<msg::offsets_msg>(*sys, slow, msg::get_current_offsets{}).offsets ==
           offset_map{{"0", 3000}};
  });
  ask<msg::ack>(*sys, slow, msg::stop_task{});
  {
    caf::scoped_actor self{*sys};
    self->wait_for(slow);
  }
  CHECK(row("a-task").status == "SUCCESS");
  auto want = all_of(slow_ids);
  auto more = all_of(fast_ids);
  want.insert(more.begin(), more.end());
  CHECK(published_ids() == want);
}
