#include "actors/cluster_runner_actor.hpp"

#include <charconv>
#include <deque>
#include <map>
#include <set>
#include <string_view>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "core/cluster/placement.hpp"
#include "core/errc.hpp"
#include "core/ingest/row_stats.hpp"
#include "core/task/report.hpp"
#include "core/time.hpp"

namespace sv::actors {

namespace {

struct worker {
  core::cluster::node_info info;
  task_runner_actor handle;  ///< null until connected
  bool connecting = false;
  std::string refused;  ///< the last connection failure, logged once
  int failures = 0;     ///< connection failures in a row
  caf::actor_clock::time_point next_try{};
  std::set<std::string> foreign;  ///< running there, not placed by this leader
  bool bad_address = false;       ///< its registration cannot be connected to
};

struct placed {
  msg::run_task run;
  std::string worker;  ///< empty while pending
  bool acked = false;  ///< the worker took it
};

struct runner_state {
  runner_state() = default;
  cluster_runner_config cfg;
  std::map<std::string, worker> workers;
  std::map<std::string, placed> tasks;
  std::deque<std::string> pending;
  std::string last_completed;
  struct held_adoption {
    msg::adopt_tasks request;
    caf::typed_response_promise<msg::adopted_tasks> promise;
  };
  /// Adoptions asked while workers were still being connected to.
  std::vector<held_adoption> held_adoptions;
  static inline const char* name = "cluster_runner";
};

using self_ptr = cluster_runner_actor::stateful_pointer<runner_state>;

std::string group_of(const core::task::task_spec& s) {
  return s.supervisor_id + "/" + std::to_string(s.group_id);
}

// A task that will not run (its worker was lost, or it could not start):
// its supervisor hears it failed.
void fail(self_ptr self, const placed& p, const std::string& why) {
  if (!p.run.listener) return;
  core::ingest::row_stats none;
  auto report =
      core::task::completion_report(p.run.spec.id, "NOT_STARTED", none, why, {});
  self->send(caf::actor_cast<task_listener>(p.run.listener),
             msg::task_finished{p.run.spec.id, p.run.spec.group_id, false, why,
                                std::move(report)});
}

// `worker_id` is a copy: callers pass keys of the map it erases from.
void lose(self_ptr self, std::string worker_id, const std::string& why) {
  auto& st = self->state;
  auto w = st.workers.find(worker_id);
  if (w == st.workers.end()) return;
  if (w->second.handle) self->demonitor(w->second.handle.address());
  st.workers.erase(w);
  int n = 0;
  for (auto it = st.tasks.begin(); it != st.tasks.end();) {
    if (it->second.worker != worker_id) {
      ++it;
      continue;
    }
    fail(self, it->second, "worker " + worker_id + " was lost: " + why);
    it = st.tasks.erase(it);
    ++n;
  }
  spdlog::warn("worker {} lost ({}): {} of its tasks start again elsewhere", worker_id,
               why, n);
}

void place_pending(self_ptr self) {
  auto& st = self->state;
  if (st.pending.empty()) return;
  std::vector<core::cluster::worker_slots> slots;
  for (const auto& [id, w] : st.workers) {
    if (!w.handle) continue;
    core::cluster::worker_slots s{id, w.info.capacity, 0, {}, true, {}};
    s.used = static_cast<int32_t>(w.foreign.size());
    for (const auto& [tid, p] : st.tasks)
      if (p.worker == id) {
        ++s.used;
        s.groups.insert(group_of(p.run.spec));
        ++s.per_supervisor[p.run.spec.supervisor_id];
      }
    slots.push_back(std::move(s));
  }
  std::vector<core::cluster::pending_task> want;
  for (const auto& id : st.pending)
    if (auto t = st.tasks.find(id); t != st.tasks.end())
      want.push_back(
          {id, group_of(t->second.run.spec), t->second.run.spec.supervisor_id});
  auto result = core::cluster::place(slots, want);
  st.pending.assign(result.pending.begin(), result.pending.end());
  for (const auto& [task_id, worker_id] : result.assigned) {
    auto& p = st.tasks.at(task_id);
    p.worker = worker_id;
    auto handle = st.workers.at(worker_id).handle;
    self->request(handle, st.cfg.timeout, p.run)
        .then(
            [self, task_id](msg::ack&) {
              if (auto t = self->state.tasks.find(task_id); t != self->state.tasks.end())
                t->second.acked = true;
            },
            [self, task_id, worker_id](caf::error& err) {
              auto t = self->state.tasks.find(task_id);
              if (t == self->state.tasks.end() || t->second.worker != worker_id) return;
              fail(self, t->second,
                   "could not start on worker " + worker_id + ": " +
                       core::error_message(err));
              self->state.tasks.erase(t);
            });
  }
}

// What a worker runs: our tasks that ended free their slots; the others are
// an earlier leader's.
void sync(self_ptr self, const std::string& worker_id) {
  auto& st = self->state;
  auto& w = st.workers.at(worker_id);
  std::set<std::string> acked;
  for (const auto& [id, p] : st.tasks)
    if (p.worker == worker_id && p.acked) acked.insert(id);
  self->request(w.handle, st.cfg.timeout, msg::list_runner_tasks{})
      .then(
          [self, worker_id, acked](msg::runner_task_list& l) {
            auto& st = self->state;
            auto w = st.workers.find(worker_id);
            if (w == st.workers.end()) return;
            std::set<std::string> there;
            w->second.foreign.clear();
            for (const auto& t : l.tasks) {
              there.insert(t.id);
              if (!st.tasks.count(t.id)) w->second.foreign.insert(t.id);
            }
            for (const auto& id : acked)
              if (!there.count(id)) {
                st.tasks.erase(id);
                st.last_completed = core::format_utc_time(core::utc_now());
              }
            place_pending(self);
          },
          [](caf::error&) {});
}

void adopt_now(self_ptr self, const msg::adopt_tasks& m,
               caf::typed_response_promise<msg::adopted_tasks> rp);

bool connecting(self_ptr self) {
  for (const auto& [_, w] : self->state.workers)
    if (w.connecting && !w.handle && !w.bad_address) return true;
  return false;
}

// A new leader adopts only once every registered worker has been reached (or
// could not be): a worker still being connected to would hide its tasks.
void release_adoptions(self_ptr self) {
  if (connecting(self) || self->state.held_adoptions.empty()) return;
  auto held = std::move(self->state.held_adoptions);
  self->state.held_adoptions.clear();
  for (auto& h : held) adopt_now(self, h.request, h.promise);
}

void connect(self_ptr self, const std::string& worker_id) {
  auto& w = self->state.workers.at(worker_id);
  auto addr = w.info.cluster_address;
  // A registration row is outside input: a bad address is logged, not thrown.
  auto colon = addr.rfind(':');
  uint16_t port = 0;
  auto digits = colon == std::string::npos ? std::string_view{}
                                           : std::string_view{addr}.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
      port == 0) {
    spdlog::warn("worker {} registered a bad cluster address '{}'", worker_id, addr);
    w.connecting = true;  // not again until its registration changes
    w.bad_address = true;
    return;
  }
  auto host = addr.substr(0, colon);
  w.connecting = true;
  self->request(self->state.cfg.middleman, self->state.cfg.timeout,
                caf::connect_atom::value, host, port)
      .then(
          [self, worker_id](const caf::node_id&, caf::strong_actor_ptr& ptr,
                            const std::set<std::string>&) {
            auto w = self->state.workers.find(worker_id);
            if (w == self->state.workers.end()) return;
            w->second.connecting = false;
            if (!ptr) return;
            w->second.refused.clear();
            w->second.failures = 0;
            w->second.handle = caf::actor_cast<task_runner_actor>(ptr);
            self->monitor(w->second.handle);
            spdlog::info("worker {} connected ({} slots)", worker_id,
                         w->second.info.capacity);
            sync(self, worker_id);
            release_adoptions(self);
          },
          [self, worker_id](caf::error& err) {
            auto w = self->state.workers.find(worker_id);
            if (w == self->state.workers.end()) return;
            w->second.connecting = false;
            release_adoptions(self);
            auto& cfg = self->state.cfg;
            w->second.next_try =
                self->clock().now() + core::cluster::reconnect_delay(++w->second.failures,
                                                                     cfg.retry_interval,
                                                                     cfg.retry_limit);
            // Said once per reason.
            auto why = self->system().render(err);
            if (why == w->second.refused) return;
            w->second.refused = why;
            if (err == caf::sec::disconnect_during_handshake)
              spdlog::warn(
                  "worker {} at {} refused at the handshake, no task is placed there: {} "
                  "(tried again with backoff)",
                  worker_id, w->second.info.cluster_address,
                  cfg.tls ? "its TLS certificate is not signed by this cluster's CA "
                            "(--tls-ca), it does not speak TLS, or its cluster name or "
                            "version differs"
                          : "it uses TLS, or its cluster name or version differs");
            else
              spdlog::warn(
                  "worker {} at {} cannot be connected to, no task is placed there: {} "
                  "({}; "
                  "tried again with backoff)",
                  worker_id, w->second.info.cluster_address, why,
                  cfg.tls ? "it is not listening, or does not speak TLS"
                          : "it is not listening");
          });
}

void follow(self_ptr self, const msg::cluster_view& v) {
  auto& st = self->state;
  std::map<std::string, const core::cluster::node_info*> live;
  for (const auto& n : v.nodes)
    if (n.role == "worker" && n.capacity > 0 && !n.cluster_address.empty())
      live[n.id] = &n;
  std::vector<std::string> gone;
  for (const auto& [id, w] : st.workers) {
    auto l = live.find(id);
    if (l == live.end())
      gone.push_back(id);
    else if (l->second->cluster_address != w.info.cluster_address ||
             l->second->started != w.info.started)
      gone.push_back(id);  // restarted: a new process
  }
  for (const auto& id : gone) lose(self, id, "its registration is stale or renewed");
  release_adoptions(self);
  for (const auto& [id, n] : live) {
    auto& w = st.workers[id];
    if (w.info.id.empty()) w.info = *n;
    w.info.capacity = n->capacity;
    if (!w.handle && !w.connecting && self->clock().now() >= w.next_try)
      connect(self, id);
    if (w.handle) sync(self, id);
  }
  place_pending(self);
}

std::vector<std::string> worker_ids(self_ptr self) {
  std::vector<std::string> out;
  for (const auto& [id, w] : self->state.workers)
    if (w.handle) out.push_back(id);
  return out;
}

// Every connected worker's tasks (of one supervisor), with the pending ones.
caf::result<msg::runner_task_list> list(self_ptr self, const msg::list_runner_tasks& m) {
  auto rp = self->make_response_promise<msg::runner_task_list>();
  auto acc = std::make_shared<msg::runner_task_list>();
  for (const auto& id : self->state.pending)
    if (auto t = self->state.tasks.find(id); t != self->state.tasks.end()) {
      const auto& s = t->second.run.spec;
      if (m.supervisor_id.empty() || s.supervisor_id == m.supervisor_id)
        acc->tasks.push_back({s.id, s.supervisor_id, s.data_source(), s.type(),
                              s.group_id, "PENDING", "", "", ""});
    }
  acc->last_completed = self->state.last_completed;
  auto ids = worker_ids(self);
  auto left = std::make_shared<size_t>(ids.size());
  if (ids.empty()) {
    rp.deliver(*acc);
    return rp;
  }
  for (const auto& id : ids) {
    acc->capacity += self->state.workers.at(id).info.capacity;
    self->request(self->state.workers.at(id).handle, self->state.cfg.timeout, m)
        .then(
            [rp, acc, left](msg::runner_task_list& l) mutable {
              for (auto& t : l.tasks) acc->tasks.push_back(std::move(t));
              if (--*left == 0) rp.deliver(*acc);
            },
            [rp, acc, left](caf::error&) mutable {
              if (--*left == 0) rp.deliver(*acc);
            });
  }
  return rp;
}

// Failover: every worker hands the supervisor's tasks over; they are this
// leader's from now on (a lost worker's are reported to the new listener).
caf::result<msg::adopted_tasks> adopt(self_ptr self, const msg::adopt_tasks& m) {
  auto rp = self->make_response_promise<msg::adopted_tasks>();
  if (connecting(self))
    self->state.held_adoptions.push_back({m, rp});
  else
    adopt_now(self, m, rp);
  return rp;
}

void adopt_now(self_ptr self, const msg::adopt_tasks& m,
               caf::typed_response_promise<msg::adopted_tasks> rp) {
  auto acc = std::make_shared<msg::adopted_tasks>();
  auto ids = worker_ids(self);
  auto left = std::make_shared<size_t>(ids.size());
  if (ids.empty()) {
    rp.deliver(*acc);
    return;
  }
  for (const auto& wid : ids) {
    self->request(self->state.workers.at(wid).handle, self->state.cfg.timeout, m)
        .then(
            [self, rp, acc, left, wid, listener = m.listener,
             epoch = m.epoch](msg::adopted_tasks& got) mutable {
              auto& st = self->state;
              for (auto& t : got.tasks) {
                if (auto w = st.workers.find(wid); w != st.workers.end())
                  w->second.foreign.erase(t.spec.id);
                st.tasks[t.spec.id] = placed{
                    msg::run_task{t.spec, listener, epoch,
                                  caf::actor_cast<caf::strong_actor_ptr>(st.cfg.lockbox)},
                    wid, true};
                acc->tasks.push_back(std::move(t));
              }
              if (--*left == 0) rp.deliver(*acc);
            },
            [rp, acc, left](caf::error&) mutable {
              if (--*left == 0) rp.deliver(*acc);
            });
  }
}

cluster_runner_actor::behavior_type runner_behavior(self_ptr self,
                                                    cluster_runner_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_down_handler([self](caf::down_msg& dm) {
    for (const auto& [id, w] : self->state.workers)
      if (w.handle && w.handle.address() == dm.source) {
        lose(self, id, "connection lost: " + self->system().render(dm.reason));
        place_pending(self);
        return;
      }
  });
  return {
      [self](msg::run_task& m) -> caf::result<msg::ack> {
        auto& st = self->state;
        auto id = m.spec.id;
        if (st.tasks.count(id))
          return core::make_error(core::errc::conflict,
                                  "task [" + id + "] already exists");
        if (st.cfg.lockbox)
          m.lockbox = caf::actor_cast<caf::strong_actor_ptr>(st.cfg.lockbox);
        st.tasks.emplace(id, placed{std::move(m), {}, false});
        st.pending.push_back(id);
        place_pending(self);
        return msg::ack{};
      },
      [self](msg::kill_task& m) -> caf::result<msg::ack> {
        auto& st = self->state;
        auto t = st.tasks.find(m.task_id);
        if (t != st.tasks.end() && t->second.worker.empty()) {
          std::erase(st.pending, m.task_id);
          fail(self, t->second, "Task was killed before it started: " + m.reason);
          st.tasks.erase(t);
          return msg::ack{};
        }
        // Ours on its worker, or an earlier leader's on any worker.
        std::vector<task_runner_actor> to;
        if (t != st.tasks.end()) {
          auto w = st.workers.find(t->second.worker);
          if (w != st.workers.end() && w->second.handle) to.push_back(w->second.handle);
        } else {
          for (const auto& [id, w] : st.workers)
            if (w.handle && w.foreign.count(m.task_id)) to.push_back(w.handle);
        }
        for (auto& h : to)
          self->request(h, st.cfg.timeout, m).then([](msg::ack&) {}, [](caf::error&) {});
        return msg::ack{};
      },
      [self](msg::list_runner_tasks& m) { return list(self, m); },
      [self](msg::get_live_report& m) -> caf::result<core::json> {
        auto& st = self->state;
        auto t = st.tasks.find(m.task_id);
        if (t == st.tasks.end() || t->second.worker.empty())
          return core::make_error(core::errc::not_found,
                                  "task [" + m.task_id + "] is not running");
        auto w = st.workers.find(t->second.worker);
        if (w == st.workers.end() || !w->second.handle)
          return core::make_error(core::errc::not_found,
                                  "task [" + m.task_id + "] is not running");
        return self->delegate(w->second.handle, m);
      },
      [](msg::set_runner_location&) {},
      [self](msg::adopt_tasks& m) {
        if (self->state.cfg.lockbox)
          m.lockbox = caf::actor_cast<caf::strong_actor_ptr>(self->state.cfg.lockbox);
        return adopt(self, m);
      },
      [self](msg::cluster_view& v) { follow(self, v); },
  };
}

}  // namespace

cluster_runner_actor spawn_cluster_runner(caf::actor_system& sys,
                                          cluster_runner_config cfg) {
  return sys.spawn(runner_behavior, std::move(cfg));
}

}  // namespace sv::actors
