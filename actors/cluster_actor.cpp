#include "actors/cluster_actor.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "adapters/errc.hpp"
#include "core/errc.hpp"

namespace sv::actors {

namespace {

struct cluster_state {
  cluster_state() = default;
  cluster_config cfg;
  std::unique_ptr<adapters::sql::node_registry> registry;
  std::unique_ptr<adapters::sql::leader_lock> lock;
  msg::cluster_view view;
  bool fencing = false;  ///< won the lock; waiting for the metadata actor's fence
  bool left = false;
  std::string last_error;  ///< logged once per outage
  static inline const char* name = "cluster";
};

using self_ptr = cluster_actor::stateful_pointer<cluster_state>;

void report(self_ptr self, const std::string& what, const caf::error& err) {
  auto msg = what + ": " + core::error_message(err);
  if (msg != self->state.last_error)
    spdlog::warn("cluster '{}': {}", self->state.cfg.cluster, msg);
  self->state.last_error = std::move(msg);
}

void step_down(self_ptr self, const caf::error& why) {
  auto& st = self->state;
  spdlog::error("cluster '{}': this node no longer leads (epoch {}): {}", st.cfg.cluster,
                st.view.epoch, core::error_message(why));
  st.view.leading = false;
  // Not itself any more; the next beat reads who leads now (until then its
  // API answers 503, never a redirect to itself).
  st.view.leader_id.clear();
  st.view.leader_http.clear();
  // A fresh connection before competing again: the old one may be half dead.
  st.lock.reset();
}

// Another node holds the lock. When the recorded leader's registration is
// stale — it stopped heartbeating, e.g. paused, while its lock session lives
// on — its session is ended so this node can lead; if it wakes up, its lock
// check fails and its leader writes meet the new epoch.
//
// The live nodes are read after the leader row, never taken from the view:
// a node writes its registration before it takes the lock, so a leader that
// won a moment ago is live in a read that follows its row, while the view may
// predate its first heartbeat.
void evict_if_stale(self_ptr self) {
  auto& st = self->state;
  if (!st.registry || !st.lock) return;
  auto leader = st.registry->leader();
  if (!leader || !*leader) return;
  auto live = st.registry->live_nodes(st.cfg.timeout);
  if (!live) return report(self, "reading the live nodes", live.error());
  for (const auto& n : *live)
    if (n.id == (*leader)->node_id) return;  // live
  auto evicted = st.lock->evict_holder();
  if (!evicted)
    return report(self, "ending the stale leader's lock session", evicted.error());
  if (*evicted)
    spdlog::warn(
        "cluster '{}': leader {} (epoch {}) sent no heartbeat for {} ms; its lock "
        "session "
        "was ended",
        st.cfg.cluster, (*leader)->node_id, (*leader)->epoch, st.cfg.timeout.count());
}

// Takes or keeps the leader lock. Only a node whose registration was just
// written competes: the others judge a leader's liveness by it.
void elect(self_ptr self, bool registered) {
  auto& st = self->state;
  if (st.fencing) return;
  if (!st.view.leading && !registered) return;
  if (!st.lock) {
    auto l = st.cfg.open_lock();
    if (!l) return report(self, "cannot open the leader lock", l.error());
    st.lock = std::move(*l);
  }
  if (st.view.leading) {
    if (auto err = st.lock->check()) step_down(self, err);
    return;
  }
  auto won = st.lock->try_acquire();
  if (!won) {
    report(self, "leader election", won.error());
    st.lock.reset();
    return;
  }
  if (!*won) {
    evict_if_stale(self);
    return;
  }
  auto epoch = **won;
  st.fencing = true;
  self->request(st.cfg.metadata, std::chrono::seconds{10},
                msg::md_fence{st.cfg.cluster, epoch})
      .then(
          [self, epoch](msg::ack&) {
            auto& st = self->state;
            st.fencing = false;
            st.view.leading = true;
            st.view.epoch = epoch;
            st.view.leader_id = st.cfg.self.id;
            st.view.leader_http = st.cfg.self.http_address;
            spdlog::info("cluster '{}': this node leads at epoch {}", st.cfg.cluster,
                         epoch);
            if (st.cfg.on_view) st.cfg.on_view(st.view);
          },
          [self](caf::error& err) {
            auto& st = self->state;
            st.fencing = false;
            report(self, "fencing the metadata store", err);
            if (st.lock) st.lock->release();
          });
}

void beat(self_ptr self) {
  auto& st = self->state;
  if (st.left) return;
  if (!st.registry) {
    auto r = st.cfg.open_registry();
    if (!r) {
      report(self, "cannot reach the node registry", r.error());
    } else {
      st.registry = std::move(*r);
    }
  }
  bool ok = false;
  if (st.registry) {
    if (auto err = st.registry->heartbeat(st.cfg.self)) {
      report(self, "heartbeat", err);
    } else if (auto nodes = st.registry->live_nodes(st.cfg.timeout); !nodes) {
      report(self, "reading the live nodes", nodes.error());
    } else if (auto leader = st.registry->leader(); !leader) {
      report(self, "reading the leader", leader.error());
    } else {
      ok = true;
      st.view.nodes = std::move(*nodes);
      if (!st.view.leading) {
        // The recorded leader, while its registration is live.
        st.view.leader_id.clear();
        st.view.leader_http.clear();
        if (*leader)
          for (const auto& n : st.view.nodes)
            if (n.id == (*leader)->node_id) {
              st.view.leader_id = n.id;
              st.view.leader_http = (*leader)->address;
              st.view.epoch = (*leader)->epoch;
            }
      }
    }
  }
  if (!ok && st.registry) st.registry.reset();
  if (ok && !st.last_error.empty()) {
    spdlog::info("cluster '{}': the registry answers again", st.cfg.cluster);
    st.last_error.clear();
  }
  if (st.cfg.elects) elect(self, ok);
  if (st.cfg.on_view) st.cfg.on_view(st.view);
}

cluster_actor::behavior_type cluster_behavior(self_ptr self, cluster_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.view.self_id = self->state.cfg.self.id;
  self->send(self, heartbeat_atom::value);
  return {
      [self](heartbeat_atom) {
        beat(self);
        if (!self->state.left)
          self->delayed_send(self, self->state.cfg.interval, heartbeat_atom::value);
      },
      [self](caf::get_atom) { return self->state.view; },
      [self](leave_atom) {
        auto& st = self->state;
        st.left = true;
        if (st.registry) (void)st.registry->leave(st.cfg.self.id);
        if (st.lock) st.lock->release();
        st.view.leading = false;
        return msg::ack{};
      },
  };
}

}  // namespace

cluster_actor spawn_cluster_actor(caf::actor_system& sys, cluster_config cfg,
                                  placement where) {
  if (where == placement::scheduled) return sys.spawn(cluster_behavior, std::move(cfg));
  return sys.spawn<caf::detached>(cluster_behavior, std::move(cfg));
}

}  // namespace sv::actors
