// The cluster actor, deterministically, over a registry and a lock kept in
// memory (a stand-in for the `nodes` and `leader` tables and the advisory
// lock, so that another node's moves can be placed between two of this
// node's reads): which leader it ends, and when it competes.

#include <doctest/doctest.h>

#include <map>

#include "actors/cluster_actor.hpp"
#include "adapters/errc.hpp"
#include "tests/actors/actor_fixture.hpp"

using namespace sv;
using adapters::sql::leader_record;

namespace {

// What the tables and the lock hold; virtual time in ms.
struct shared_db {
  int64_t now = 0;
  std::map<std::string, int64_t> heartbeats;
  std::optional<leader_record> leader;
  std::string holder;  ///< node id holding the lock
  bool registry_down = false;
  int acquire_attempts = 0;
  int evictions = 0;
  std::function<void()> on_open_lock;  ///< another node's moves, run once

  void win(const std::string& id) {
    holder = id;
    leader = leader_record{id, id + ":8081", (leader ? leader->epoch : 0) + 1, ""};
  }
};

class memory_registry final : public adapters::sql::node_registry {
 public:
  explicit memory_registry(std::shared_ptr<shared_db> db) : db_(std::move(db)) {}
  caf::error heartbeat(const adapters::sql::node_record& self) override {
    if (db_->registry_down)
      return adapters::make_error(adapters::errc::store_unavailable, "down");
    db_->heartbeats[self.id] = db_->now;
    return {};
  }
  caf::expected<std::vector<adapters::sql::node_record>> live_nodes(
      std::chrono::milliseconds max_age) override {
    std::vector<adapters::sql::node_record> out;
    for (const auto& [id, at] : db_->heartbeats)
      if (db_->now - at <= max_age.count()) {
        adapters::sql::node_record n;
        n.id = id;
        n.role = "overlord";
        out.push_back(std::move(n));
      }
    return out;
  }
  caf::expected<std::optional<leader_record>> leader() override { return db_->leader; }
  caf::error leave(const std::string& id) override {
    db_->heartbeats.erase(id);
    return {};
  }

 private:
  std::shared_ptr<shared_db> db_;
};

class memory_lock final : public adapters::sql::leader_lock {
 public:
  memory_lock(std::shared_ptr<shared_db> db, std::string id)
      : db_(std::move(db)), id_(std::move(id)) {}
  caf::expected<std::optional<int64_t>> try_acquire() override {
    ++db_->acquire_attempts;
    if (!db_->holder.empty() && db_->holder != id_) return std::optional<int64_t>{};
    if (db_->holder != id_) db_->win(id_);
    return std::optional<int64_t>{db_->leader->epoch};
  }
  caf::error check() override {
    if (db_->holder == id_) return {};
    return adapters::make_error(adapters::errc::leadership_lost, "lost");
  }
  caf::expected<bool> evict_holder() override {
    ++db_->evictions;
    bool had = !db_->holder.empty();
    db_->holder.clear();
    return had;
  }
  void release() override {
    if (db_->holder == id_) db_->holder.clear();
  }

 private:
  std::shared_ptr<shared_db> db_;
  std::string id_;
};

struct cluster_fixture : test::actor_fixture {
  std::shared_ptr<shared_db> db = std::make_shared<shared_db>();

  actors::cluster_actor spawn(const std::string& id) {
    actors::cluster_config c;
    c.cluster = "c";
    c.self.id = id;
    c.self.role = "overlord";
    c.elects = true;
    c.interval = std::chrono::milliseconds{500};
    c.timeout = std::chrono::milliseconds{2000};
    c.metadata = metadata;
    c.open_registry =
        [db = db]() -> caf::expected<std::unique_ptr<adapters::sql::node_registry>> {
      return std::unique_ptr<adapters::sql::node_registry>(new memory_registry(db));
    };
    c.open_lock = [db = db,
                   id]() -> caf::expected<std::unique_ptr<adapters::sql::leader_lock>> {
      if (auto hook = std::exchange(db->on_open_lock, nullptr)) hook();
      return std::unique_ptr<adapters::sql::leader_lock>(new memory_lock(db, id));
    };
    auto a = actors::spawn_cluster_actor(sys, std::move(c), actors::placement::scheduled);
    to_stop.push_back(caf::actor_cast<caf::actor>(a));
    return a;
  }

  msg::cluster_view view(const actors::cluster_actor& a) {
    auto v = call<msg::cluster_view>(a, caf::get_atom::value);
    REQUIRE(v);
    return *v;
  }

  // One heartbeat interval of virtual time, and every actor run until idle.
  void tick() {
    db->now += 500;
    sched.advance_time(std::chrono::milliseconds{500});
    sched.run();
  }
};

}  // namespace

TEST_CASE_FIXTURE(cluster_fixture,
                  "a leader that won between this node's reads is not evicted") {
  // This node reads the live nodes (only itself) and finds no leader; while
  // it opens its lock connection the other overlord registers and wins.
  db->on_open_lock = [db = db] {
    db->heartbeats["o2"] = db->now;
    db->win("o2");
  };
  auto o1 = spawn("o1");
  sched.run();
  CHECK(db->evictions == 0);
  CHECK(db->holder == "o2");
  CHECK_FALSE(view(o1).leading);
  // While o2 keeps beating, o1 follows it and never ends its session.
  for (int i = 0; i < 10; ++i) {
    db->heartbeats["o2"] = db->now;
    tick();
  }
  CHECK(db->evictions == 0);
  auto v = view(o1);
  CHECK_FALSE(v.leading);
  CHECK(v.leader_id == "o2");
}

TEST_CASE_FIXTURE(cluster_fixture, "a leader whose registration went stale is evicted") {
  db->heartbeats["o2"] = 0;
  db->win("o2");
  db->now = 5000;  // o2 last beat 5 s ago; the timeout is 2 s
  auto o1 = spawn("o1");
  sched.run();
  CHECK(db->evictions == 1);
  tick();
  auto v = view(o1);
  CHECK(v.leading);
  CHECK(v.epoch == 2);
  CHECK(db->holder == "o1");
}

TEST_CASE_FIXTURE(cluster_fixture, "a node whose registration failed does not compete") {
  db->registry_down = true;
  auto o1 = spawn("o1");
  sched.run();
  tick();
  CHECK(db->acquire_attempts == 0);
  CHECK(db->holder.empty());
  db->registry_down = false;
  tick();
  CHECK(db->acquire_attempts == 1);
  CHECK(view(o1).leading);
}
