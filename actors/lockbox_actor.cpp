#include "actors/lockbox_actor.hpp"

#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "core/errc.hpp"
#include "core/locks/lock_table.hpp"

namespace sv::actors {

namespace {

using core::locks::lock_table;

constexpr auto store_timeout = std::chrono::seconds{30};

struct deferred {
  msg::lock_acquire request;
  caf::strong_actor_ptr sender;
  caf::typed_response_promise<msg::lock_reply> promise;
};

struct lockbox_state {
  lockbox_state() = default;
  lockbox_config cfg;
  bool leading = false;
  bool restoring = false;   ///< reading the kept locks; requests wait
  uint64_t generation = 0;  ///< bumped by every change of leadership
  lock_table table;
  lock_table::ticket next = 1;
  struct pending {
    lock_client client;
    msg::lock_granted granted;
    core::locks::lock_request request;
  };
  std::map<lock_table::ticket, pending> waiting;
  std::map<caf::actor_addr, std::vector<std::string>> tasks_of;  ///< monitored
  std::set<std::string> unclaimed;  ///< restored, their task has not asked yet
  std::vector<deferred> held_back;  ///< arrived while restoring
  static inline const char* name = "lockbox";
};

using self_ptr = lockbox_actor::stateful_pointer<lockbox_state>;

bool persistent(self_ptr self) {
  return static_cast<bool>(self->state.cfg.metadata);
}

void persist(self_ptr self, const core::locks::lock_request& r,
             std::function<void(caf::error)> then) {
  self->request(self->state.cfg.metadata, store_timeout,
                msg::md_persist_lock{msg::to_message(r)})
      .then([then](msg::ack&) { then({}); },
            [then](caf::error& err) { then(std::move(err)); });
}

void granted(self_ptr self, const std::vector<lock_table::ticket>& tickets) {
  auto& st = self->state;
  for (auto t : tickets) {
    auto i = st.waiting.find(t);
    if (i == st.waiting.end()) continue;
    auto p = std::move(i->second);
    st.waiting.erase(i);
    if (!persistent(self)) {
      if (p.client) self->send(p.client, p.granted);
      continue;
    }
    // Kept first: a new leader must know it before the task relies on it.
    persist(self, p.request, [self, p, gen = st.generation](caf::error err) {
      if (self->state.generation != gen) return;
      if (err) {
        spdlog::warn("lockbox: cannot keep the lock of task [{}]: {} (it asks again)",
                     p.request.task_id, core::error_message(err));
        return;
      }
      if (p.client) self->send(p.client, p.granted);
    });
  }
}

void release(self_ptr self, const std::string& task_id) {
  auto& st = self->state;
  bool held = st.table.holds(task_id);
  granted(self, st.table.release_task(task_id));
  if (!held || !persistent(self)) return;
  self->request(st.cfg.metadata, store_timeout, msg::md_drop_locks{task_id})
      .then([](msg::ack&) {},
            [task_id](caf::error& err) {
              spdlog::warn("lockbox: cannot forget the locks of task [{}]: {}", task_id,
                           core::error_message(err));
            });
}

void acquire(self_ptr self, const msg::lock_acquire& m, caf::strong_actor_ptr sender,
             caf::typed_response_promise<msg::lock_reply> rp) {
  auto& st = self->state;
  auto r = msg::to_request(m);
  if (!r) {
    rp.deliver(core::make_error(core::errc::invalid_input,
                                "unknown lock type [" + m.type + "]"));
    return;
  }
  if (sender) {
    auto addr = caf::actor_cast<caf::actor_addr>(sender);
    auto [it, fresh] = st.tasks_of.try_emplace(addr);
    if (fresh) self->monitor(sender);
    if (std::find(it->second.begin(), it->second.end(), m.task_id) == it->second.end())
      it->second.push_back(m.task_id);
  }
  st.unclaimed.erase(m.task_id);
  auto ticket = st.next++;
  auto d = st.table.acquire(ticket, *r);
  if (!d.granted) {
    st.waiting.emplace(ticket,
                       lockbox_state::pending{caf::actor_cast<lock_client>(sender),
                                              msg::lock_granted{m.start, m.end}, *r});
    std::string by;
    for (const auto& g : d.blocked_by) by += (by.empty() ? "" : ", ") + g;
    spdlog::info("lockbox: task [{}] waits for a {} lock on {} {}, held by {}", m.task_id,
                 m.type, m.datasource, r->interval.to_string(), by);
    rp.deliver(msg::lock_reply{false, std::move(d.blocked_by)});
    return;
  }
  if (!persistent(self)) {
    rp.deliver(msg::lock_reply{true, {}});
    return;
  }
  persist(self, *r, [rp](caf::error err) mutable {
    if (err)
      rp.deliver(std::move(err));
    else
      rp.deliver(msg::lock_reply{true, {}});
  });
}

// Reads the locks the previous leaders granted and holds them again.
void restore(self_ptr self, uint64_t gen) {
  auto& st = self->state;
  self->request(st.cfg.metadata, store_timeout, msg::md_list_locks{})
      .then(
          [self, gen](msg::lock_rows& rows) {
            auto& st = self->state;
            if (st.generation != gen || !st.restoring) return;
            for (const auto& m : rows.locks)
              if (auto r = msg::to_request(m)) {
                st.table.restore(*r);
                st.unclaimed.insert(r->task_id);
              }
            st.restoring = false;
            spdlog::info(
                "lockbox: restored {} locks of {} tasks granted by earlier leaders",
                rows.locks.size(), st.unclaimed.size());
            if (!st.unclaimed.empty())
              self->delayed_send(self, st.cfg.claim_timeout, claim_atom::value, gen);
            auto held_back = std::move(st.held_back);
            st.held_back.clear();
            for (auto& d : held_back) acquire(self, d.request, d.sender, d.promise);
          },
          [self, gen](caf::error& err) {
            auto& st = self->state;
            if (st.generation != gen) return;
            spdlog::warn(
                "lockbox: cannot read the locks of earlier leaders ({}); "
                "retrying",
                core::error_message(err));
            self->delayed_send(self, st.cfg.retry_interval, restore_atom::value, gen);
          });
}

void follow(self_ptr self, const msg::cluster_view& v) {
  auto& st = self->state;
  if (v.leading == st.leading) return;
  st.leading = v.leading;
  ++st.generation;
  for (const auto& [addr, _] : st.tasks_of) self->demonitor(addr);
  st.tasks_of.clear();
  st.table = lock_table{};
  st.waiting.clear();
  st.unclaimed.clear();
  for (auto& d : st.held_back)
    d.promise.deliver(core::make_error(core::errc::unavailable,
                                       "this node stopped leading the cluster"));
  st.held_back.clear();
  st.restoring = st.leading && persistent(self);
  if (st.restoring) restore(self, st.generation);
}

lockbox_actor::behavior_type lockbox(self_ptr self, lockbox_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.leading = self->state.cfg.leading;
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto i = st.tasks_of.find(dm.source);
    if (i == st.tasks_of.end()) return;
    auto ids = std::move(i->second);
    st.tasks_of.erase(i);
    for (const auto& id : ids) release(self, id);
  });
  return {
      [self](msg::lock_acquire& m) -> caf::result<msg::lock_reply> {
        auto& st = self->state;
        if (!st.leading)
          return core::make_error(
              core::errc::unavailable,
              "this node does not lead the cluster: its lockbox grants no lock");
        // Before the promise: making it takes the sender out of the message.
        auto sender = self->current_sender();
        auto rp = self->make_response_promise<msg::lock_reply>();
        if (st.restoring)
          st.held_back.push_back({std::move(m), std::move(sender), rp});
        else
          acquire(self, m, std::move(sender), rp);
        return rp;
      },
      [self](msg::get_locks&) { return self->state.table.to_json(); },
      [self](msg::cluster_view& v) { follow(self, v); },
      [self](claim_atom, uint64_t gen) {
        auto& st = self->state;
        if (gen != st.generation) return;
        auto ids = std::move(st.unclaimed);
        st.unclaimed.clear();
        for (const auto& id : ids) {
          spdlog::warn(
              "lockbox: released the locks of task [{}] kept by an earlier leader: the "
              "task did not ask for them within {} ms (it is gone)",
              id, st.cfg.claim_timeout.count());
          release(self, id);
        }
      },
      [self](restore_atom, uint64_t gen) {
        if (gen == self->state.generation && self->state.restoring) restore(self, gen);
      },
  };
}

}  // namespace

lockbox_actor spawn_lockbox(caf::actor_system& sys, lockbox_config cfg) {
  return sys.spawn(lockbox, std::move(cfg));
}

}  // namespace sv::actors
