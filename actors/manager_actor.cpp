#include "actors/manager_actor.hpp"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/manager/manager_state.hpp"
#include "actors/supervisor_actor.hpp"
#include "core/autoscaler/lag_based.hpp"
#include "core/errc.hpp"

namespace sv::actors {

using manager::entry;
using manager::manager_state;
using manager::self_ptr;
using manager::store_timeout;

namespace {

constexpr auto reload_backoff = std::chrono::seconds{2};

caf::error not_loaded(self_ptr self) {
  if (!self->state.leading)
    return core::make_error(core::errc::unavailable,
                            "this node does not lead its cluster; ask the leader "
                            "(GET /druid/indexer/v1/leader)");
  return core::make_error(
      core::errc::unavailable,
      "the supervisor manager is still loading specs from the metadata store" +
          (self->state.load_error.empty() ? std::string{}
                                          : ": " + self->state.load_error));
}

caf::error unknown(const std::string& id) {
  return core::make_error(core::errc::not_found,
                          "Cannot find any supervisor with id: [" + id + "]");
}

void audit(self_ptr self, std::string type, const std::string& id,
           const std::string& author, core::json payload) {
  core::audit_record rec;
  rec.key = id;
  rec.type = std::move(type);
  rec.author = author;
  rec.payload = std::move(payload);
  self->request(self->state.metadata, store_timeout, msg::md_append_audit{std::move(rec)})
      .then([](core::audit_record&) {},
            [self](caf::error& err) {
              spdlog::warn("audit write failed: {}", core::error_message(err));
            });
}

core::supervisor_summary initial_summary(const core::supervisor_spec& s) {
  return core::supervisor_summary{
      s.id,
      s.data_source(),
      s.type,
      s.stream(),
      s.suspended ? core::detailed_state::suspended : core::detailed_state::pending,
      s.suspended};
}

}  // namespace

// Starts or updates the supervisor of `spec` (already persisted).
void manager::apply(self_ptr self, core::supervisor_spec spec) {
  auto& sups = self->state.supervisors;
  auto i = sups.find(spec.id);
  if (i != sups.end()) {
    i->second.spec = spec;
    i->second.summary.suspended = spec.suspended;
    self->send(i->second.handle, msg::spec_updated{std::move(spec)});
    return;
  }
  auto id = spec.id;
  auto summary = initial_summary(spec);
  auto handle = spawn_supervisor(
      self->system(), spec, caf::actor_cast<supervisor_listener>(self), self->state.env);
  self->monitor(handle);
  sups.emplace(id, entry{handle, std::move(spec), std::move(summary)});
}

namespace {

// Persists `spec` as the newest version of its id, then applies it.
template <class OnDone>
void persist_and_apply(self_ptr self, core::supervisor_spec spec, OnDone on_done,
                       caf::response_promise rp) {
  auto payload = core::to_json(spec);
  auto id = spec.id;
  self->request(self->state.metadata, store_timeout,
                msg::md_append_spec{id, std::move(payload)})
      .then(
          [self, spec = std::move(spec), on_done](core::spec_version&) mutable {
            apply(self, spec);
            on_done(spec);
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

void load(self_ptr self) {
  self->request(self->state.metadata, store_timeout, msg::md_latest_specs{})
      .await(
          [self](msg::spec_history& latest) {
            if (!self->state.leading) return;  // stepped down meanwhile
            for (auto& v : latest.versions) {
              if (core::is_tombstone(v.payload)) continue;
              auto parsed = core::parse_supervisor_spec(v.payload);
              if (!parsed.ok()) {
                spdlog::error("skipping stored spec of [{}]: {}", v.spec_id,
                              core::describe(parsed.problems));
                continue;
              }
              apply(self, std::move(*parsed.spec));
            }
            self->state.loaded = true;
            self->state.load_error.clear();
          },
          [self](caf::error& err) {
            self->state.load_error = core::error_message(err);
            spdlog::warn("loading supervisor specs failed, retrying: {}",
                         self->state.load_error);
            self->delayed_send(self, reload_backoff, reload_atom::value);
          });
}

// A node that starts leading loads the specs and runs their supervisors; one
// that stops leading drops them at once, without a word to their tasks: the
// tasks keep running on their workers, and the next leader takes over.
void follow_leadership(self_ptr self, const msg::cluster_view& v) {
  auto& st = self->state;
  if (v.leading == st.leading) return;
  st.leading = v.leading;
  st.env.epoch = v.leading ? v.epoch : 0;
  if (st.leading) {
    spdlog::info("leading at epoch {}: loading supervisor specs", v.epoch);
    load(self);
    return;
  }
  spdlog::warn("stepped down: stopping {} supervisors here (their tasks keep running)",
               st.supervisors.size());
  st.loaded = false;
  for (auto& [id, e] : st.supervisors) {
    self->demonitor(e.handle.address());
    self->send_exit(e.handle, caf::exit_reason::user_shutdown);
  }
  for (auto& h : st.retiring) {
    self->demonitor(h.address());
    self->send_exit(h, caf::exit_reason::user_shutdown);
  }
  st.supervisors.clear();
  st.retiring.clear();
  st.creating.clear();
}

manager_actor::behavior_type manager_behavior(self_ptr self, metadata_actor metadata,
                                              supervisor_env env, bool leading) {
  self->state.leading = leading;
  self->state.metadata = std::move(metadata);
  self->state.env = std::move(env);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto& retiring = st.retiring;
    auto r = std::find_if(retiring.begin(), retiring.end(),
                          [&](const auto& h) { return h.address() == dm.source; });
    if (r != retiring.end()) {
      retiring.erase(r);
      manager::maybe_shut_down(self);
      return;
    }
    for (auto& [id, e] : st.supervisors) {
      if (e.handle.address() != dm.source) continue;
      if (st.shutdown) {
        st.supervisors.erase(id);
        manager::maybe_shut_down(self);
        return;
      }
      spdlog::error("supervisor [{}] died ({}); starting it again", id,
                    core::error_message(dm.reason));
      e.handle =
          spawn_supervisor(self->system(), e.spec,
                           caf::actor_cast<supervisor_listener>(self), self->state.env);
      self->monitor(e.handle);
      return;
    }
  });
  // On shutdown the supervisors go too (they are not linked, so a crashing
  // supervisor does not take the manager down).
  self->set_exit_handler([self](caf::exit_msg& em) {
    for (auto& [id, e] : self->state.supervisors) self->send_exit(e.handle, em.reason);
    for (auto& h : self->state.retiring) self->send_exit(h, em.reason);
    self->quit(em.reason);
  });
  if (leading) load(self);
  return {
      [self](msg::create_supervisor& m) -> caf::result<msg::create_supervisor_reply> {
        if (!self->state.loaded) return not_loaded(self);
        if (self->state.shutdown)
          return core::make_error(core::errc::unavailable, "the node is stopping");
        // Druid: with the autoscaler on, taskCountStart wins on every POST.
        if (m.spec.io.autoscaling())
          m.spec.io.task_count = core::autoscaler::initial_task_count(
              *m.spec.io.autoscaler, m.spec.io.task_count);

        auto& sups = self->state.supervisors;
        if (self->state.creating.count(m.spec.id))
          return core::make_error(core::errc::conflict,
                                  "supervisor [" + m.spec.id + "] is being created");
        auto i = sups.find(m.spec.id);
        bool update = i != sups.end();
        if (update) {
          if (m.skip_restart_if_unmodified &&
              core::to_json(i->second.spec) == core::to_json(m.spec))
            return msg::create_supervisor_reply{m.spec.id, false};
          if (auto why = core::illegal_update(i->second.spec, m.spec))
            return core::make_error(core::errc::invalid_input, *why);
        }
        auto rp = self->make_response_promise<msg::create_supervisor_reply>();
        auto author = m.author;
        persist_and_apply(
            self, std::move(m.spec),
            [self, rp, update, author](const core::supervisor_spec& s) mutable {
              audit(self, update ? "supervisor.update" : "supervisor.create", s.id,
                    author, core::to_json(s));
              rp.deliver(msg::create_supervisor_reply{s.id, true});
            },
            rp);
        return rp;
      },
      [self](msg::list_supervisors&) -> caf::result<msg::supervisor_list> {
        if (!self->state.loaded) return not_loaded(self);
        msg::supervisor_list out;
        for (const auto& [id, e] : self->state.supervisors)
          out.items.push_back(msg::supervisor_listing{e.summary, core::to_json(e.spec)});
        return out;
      },
      [self](msg::get_supervisor_spec& m) -> caf::result<core::json> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end())
          return core::make_error(core::errc::not_found, "[" + m.id + "] does not exist");
        return core::to_json(i->second.spec);
      },
      [self](msg::get_supervisor_status& m) -> caf::result<msg::supervisor_report> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        return self->delegate(i->second.handle, std::move(m));
      },
      [self](msg::reset_supervisor& m) -> caf::result<msg::ack> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        audit(self, "supervisor.reset", m.id, m.author, core::json{});
        return self->delegate(i->second.handle, std::move(m));
      },
      [self](msg::reset_supervisor_offsets& m) -> caf::result<msg::ack> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        auto rp = self->make_response_promise<msg::ack>();
        auto id = m.id, author = m.author;
        auto body = m.body;
        self->request(i->second.handle, caf::infinite, std::move(m))
            .then(
                [self, rp, id, author, body](msg::ack&) mutable {
                  audit(self, "supervisor.resetOffsets", id, author, body);
                  rp.deliver(msg::ack{});
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](msg::handoff_task_groups& m) -> caf::result<msg::ack> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end())
          return core::make_error(core::errc::not_found,
                                  "Supervisor was not found [" + m.id + "]");
        return self->delegate(i->second.handle, std::move(m));
      },
      [self](msg::get_supervisor_stats& m) -> caf::result<core::json> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        return self->delegate(i->second.handle, std::move(m));
      },
      [self](msg::reset_and_backfill& m) -> caf::result<msg::backfill_reply> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        return self->delegate(i->second.handle, std::move(m));
      },
      [self](msg::create_backfill_supervisor& m) -> caf::result<msg::ack> {
        return manager::create_backfill(self, m);
      },
      [self](msg::shutdown_supervisors&) { return manager::shut_down(self); },
      [self](msg::scale_supervisor& m) -> caf::result<msg::ack> {
        // The autoscaler's decision, already gated by the supervisor: a new
        // spec version with this taskCount (it shows in history and GET /{id}).
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        auto spec = i->second.spec;
        spec.io.task_count = m.task_count;
        auto rp = self->make_response_promise<msg::ack>();
        persist_and_apply(
            self, std::move(spec),
            [self, rp, comment = m.comment](const core::supervisor_spec& s) mutable {
              audit(self, "supervisor.autoscale", s.id, "autoscaler",
                    core::json::make_object(
                        {{"taskCount", s.io.task_count}, {"comment", comment}}));
              rp.deliver(msg::ack{});
            },
            rp);
        return rp;
      },
      [self](msg::get_parse_errors& m) -> caf::result<core::json> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        return self->delegate(i->second.handle, std::move(m));
      },
      [self](msg::set_suspended& m) -> caf::result<core::json> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end()) return unknown(m.id);
        if (i->second.spec.suspended == m.suspended)
          return core::make_error(
              core::errc::conflict,
              "[" + m.id + "] is already " + (m.suspended ? "suspended" : "running"));
        auto rp = self->make_response_promise<core::json>();
        auto author = m.author;
        bool suspended = m.suspended;
        persist_and_apply(
            self, core::with_suspended(i->second.spec, m.suspended),
            [self, rp, author, suspended](const core::supervisor_spec& s) mutable {
              audit(self, suspended ? "supervisor.suspend" : "supervisor.resume", s.id,
                    author, core::json{});
              rp.deliver(core::to_json(s));
            },
            rp);
        return rp;
      },
      [self](msg::set_all_suspended& m) -> caf::result<msg::ack> {
        if (!self->state.loaded) return not_loaded(self);
        auto rp = self->make_response_promise<msg::ack>();
        auto pending = std::make_shared<size_t>(1);  // 1 = this handler's own share
        auto done = [rp, pending]() mutable {
          if (--*pending == 0) rp.deliver(msg::ack{});
        };
        for (auto& [id, e] : self->state.supervisors) {
          if (e.spec.suspended == m.suspended) continue;
          ++*pending;
          auto author = m.author;
          bool suspended = m.suspended;
          self->request(self->state.metadata, store_timeout,
                        msg::md_append_spec{
                            id, core::to_json(core::with_suspended(e.spec, suspended))})
              .then(
                  [self, id = id, suspended, author, done](core::spec_version&) mutable {
                    if (auto i = self->state.supervisors.find(id);
                        i != self->state.supervisors.end()) {
                      apply(self, core::with_suspended(i->second.spec, suspended));
                      audit(self, suspended ? "supervisor.suspend" : "supervisor.resume",
                            id, author, core::json{});
                    }
                    done();
                  },
                  [self, id = id, done](caf::error& err) mutable {
                    spdlog::warn("suspend/resume of [{}] failed: {}", id,
                                 core::error_message(err));
                    done();
                  });
        }
        done();
        return rp;
      },
      [self](msg::terminate_supervisor& m) -> caf::result<msg::ack> {
        if (!self->state.loaded) return not_loaded(self);
        auto i = self->state.supervisors.find(m.id);
        if (i == self->state.supervisors.end())
          return core::make_error(core::errc::not_found, "[" + m.id + "] does not exist");
        auto rp = self->make_response_promise<msg::ack>();
        auto id = m.id;
        auto author = m.author;
        auto tombstone = core::tombstone_payload({i->second.spec.data_source()});
        self->request(self->state.metadata, store_timeout,
                      msg::md_append_spec{id, tombstone})
            .then(
                [self, rp, id, author](core::spec_version&) mutable {
                  auto j = self->state.supervisors.find(id);
                  if (j != self->state.supervisors.end()) {
                    // It stays (monitored) until its groups have published.
                    self->state.retiring.push_back(j->second.handle);
                    self->request(j->second.handle, caf::infinite, msg::stop_supervisor{})
                        .then([](msg::ack&) {}, [](caf::error&) {});
                    self->state.supervisors.erase(j);
                  }
                  audit(self, "supervisor.terminate", id, author, core::json{});
                  rp.deliver(msg::ack{});
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](msg::terminate_all& m) -> caf::result<msg::ack> {
        if (!self->state.loaded) return not_loaded(self);
        auto rp = self->make_response_promise<msg::ack>();
        auto pending = std::make_shared<size_t>(1);
        auto done = [rp, pending]() mutable {
          if (--*pending == 0) rp.deliver(msg::ack{});
        };
        for (auto& [id, e] : self->state.supervisors) {
          ++*pending;
          self->request(caf::actor_cast<manager_actor>(self), store_timeout,
                        msg::terminate_supervisor{id, m.author})
              .then([done](msg::ack&) mutable { done(); },
                    [done](caf::error&) mutable { done(); });
        }
        done();
        return rp;
      },
      [self](msg::get_history& m) -> caf::result<msg::spec_history> {
        auto rp = self->make_response_promise<msg::spec_history>();
        auto id = m.id;
        self->request(self->state.metadata, store_timeout,
                      msg::md_spec_history{m.id, m.count})
            .then(
                [rp, id](msg::spec_history& h) mutable {
                  if (!id.empty() && h.versions.empty())
                    rp.deliver(core::make_error(core::errc::not_found,
                                                "No history for [" + id + "]."));
                  else
                    rp.deliver(std::move(h));
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](msg::supervisor_state_changed& m) {
        auto i = self->state.supervisors.find(m.summary.id);
        if (i != self->state.supervisors.end()) i->second.summary = std::move(m.summary);
      },
      [self](reload_atom) {
        if (self->state.leading && !self->state.loaded) load(self);
      },
      [self](msg::cluster_view& v) { follow_leadership(self, v); },
  };
}

}  // namespace

manager_actor spawn_manager(caf::actor_system& sys, metadata_actor metadata,
                            supervisor_env env, bool leading) {
  return sys.spawn(manager_behavior, std::move(metadata), std::move(env), leading);
}

}  // namespace sv::actors
