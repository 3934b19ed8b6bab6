// The supervisor's runs, the execution of planner actions, and the roll-over
// conversation with a group's tasks.

#include <utility>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/supervisor/supervisor_state.hpp"
#include "core/errc.hpp"
#include "core/stream/stream_traits.hpp"

namespace sv::actors::supervisor {

namespace {

namespace plan = core::supervisor;

template <class... Fs>
struct overload : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overload(Fs...) -> overload<Fs...>;

// What to ask the probe: for streams whose lag is time (Kinesis), also how far
// behind the newest record the positions read so far are.
msg::probe_stream probe_request(const state& st, bool earliest) {
  msg::probe_stream m;
  m.earliest = earliest;
  if (!core::stream::traits_of(st.spec().type).lag_in_records)
    m.lag_from = st.rec->highest_ingested();
  return m;
}

// Offsets lost to retention (bounded supervisors) go to the log and the audit
// trail, once each.
void audit_losses(self_ptr self) {
  auto& st = self->state;
  auto lost = st.rec->take_new_losses();
  if (lost.empty()) return;
  core::json ranges{core::json::object{}};
  for (const auto& [p, r] : lost)
    ranges.set(p, core::json::make_object({{"from", core::to_json(r.first)},
                                           {"to", core::to_json(r.second)}}));
  spdlog::error("supervisor [{}]: offsets lost to the stream's retention: {}",
                st.spec().id, ranges.dump());
  core::audit_record rec;
  rec.key = st.spec().id;
  rec.type = "supervisor.lostOffsets";
  rec.author = "streamvisor";
  rec.comment = "offsets no longer in the stream; they cannot be ingested";
  rec.payload = core::json::make_object({{"lostOffsets", std::move(ranges)}});
  self->request(st.env.metadata, st.env.store_timeout,
                msg::md_append_audit{std::move(rec)})
      .then([](core::audit_record&) {},
            [self](caf::error& err) {
              spdlog::warn(
                  "supervisor [{}]: cannot write the audit row of lost offsets: {}",
                  self->state.spec().id, core::error_message(err));
            });
}

void plan_run(self_ptr self) {
  auto& st = self->state;
  auto now = st.now();
  auto acts = st.rec->run(now);
  audit_losses(self);
  st.last_run = now;
  ++st.runs;
  st.run_active = false;
  execute(self, std::move(acts));
  after_change(self);
  if (st.run_again) {
    st.run_again = false;
    request_run(self, std::exchange(st.run_again_now, false));
  }
}

void fetch_row(self_ptr self) {
  auto& st = self->state;
  self->request(st.env.metadata, st.env.store_timeout, msg::md_get_offsets{st.spec().id})
      .then(
          [self](msg::offsets_reply& r) {
            self->state.rec->observe_committed(std::move(r.offsets));
            plan_run(self);
          },
          [self](caf::error& err) {
            self->state.rec->observe_committed_error(core::error_message(err),
                                                     self->state.now());
            plan_run(self);
          });
}

void start_task(self_ptr self, core::task::task_spec spec) {
  auto& st = self->state;
  auto id = spec.id;
  self->request(
          st.env.runner, st.env.store_timeout,
          msg::run_task{std::move(spec), caf::actor_cast<caf::strong_actor_ptr>(self),
                        st.env.epoch, nullptr})
      .then([](msg::ack&) {},
            [self, id](caf::error& err) {
              auto& st = self->state;
              auto why = "the task could not be submitted: " + core::error_message(err);
              spdlog::warn("supervisor [{}]: task [{}]: {}", st.spec().id, id, why);
              execute(self, st.rec->task_finished(id, false, why, st.now()));
              request_run(self);
            });
}

void kill(self_ptr self, const std::string& id, const std::string& reason) {
  auto& st = self->state;
  st.tasks.erase(id);
  self->request(st.env.runner, st.env.store_timeout,
                msg::kill_task{id, reason, st.env.epoch})
      .then([](msg::ack&) {}, [](caf::error&) {});
}

// -- the roll-over conversation ------------------------------------------------

struct conversation {
  plan::roll_over ro;
  size_t pending = 0;
  std::vector<std::string> answered;
  std::vector<std::string> failed;
  core::offset_map end;
};
using conversation_ptr = std::shared_ptr<conversation>;

void finish_roll(self_ptr self, const conversation_ptr& c) {
  auto& st = self->state;
  for (const auto& id : c->failed) kill(self, id, "did not take its end offsets");
  std::optional<core::offset_map> end;
  if (!c->answered.empty()) end = c->end;
  auto acts =
      st.rec->rolled_over(c->ro.group, c->ro.generation, c->ro.finish, end, st.now());
  execute(self, std::move(acts));
  request_run(self);
  after_change(self);
}

void set_ends(self_ptr self, const conversation_ptr& c) {
  auto& st = self->state;
  for (const auto& id : c->failed) {
    spdlog::warn("supervisor [{}]: task [{}] did not pause; stopping it", st.spec().id,
                 id);
    kill(self, id, "did not pause");
  }
  c->failed.clear();
  auto paused = std::move(c->answered);
  c->answered.clear();
  for (const auto& id : paused) {
    auto h = st.tasks.find(id);
    if (h == st.tasks.end()) continue;
    ++c->pending;
    self->request(
            h->second, st.env.chat_timeout,
            msg::set_end_offsets{c->end, c->ro.finish, c->ro.commit_as, st.env.epoch})
        .then(
            [self, c, id](msg::ack&) {
              c->answered.push_back(id);
              if (--c->pending == 0) finish_roll(self, c);
            },
            [self, c, id](caf::error& err) {
              spdlog::warn("supervisor [{}]: task [{}] refused its end offsets: {}",
                           self->state.spec().id, id, core::error_message(err));
              c->failed.push_back(id);
              if (--c->pending == 0) finish_roll(self, c);
            });
  }
  if (c->pending == 0) finish_roll(self, c);
}

// Pause every task, end offsets = the furthest each partition was read,
// then tell every task (finish: publish and stop; else: checkpoint).
void roll(self_ptr self, plan::roll_over ro) {
  auto& st = self->state;
  auto c = std::make_shared<conversation>();
  c->ro = std::move(ro);
  for (const auto& id : c->ro.tasks) {
    auto h = st.tasks.find(id);
    if (h == st.tasks.end()) {
      c->failed.push_back(id);
      continue;
    }
    ++c->pending;
    self->request(h->second, st.env.chat_timeout, msg::pause_task{st.env.epoch})
        .then(
            [self, c, id](msg::offsets_msg& m) {
              for (const auto& [p, o] : m.offsets) {
                auto i = c->end.find(p);
                if (i == c->end.end() || i->second < o) c->end[p] = o;
              }
              c->answered.push_back(id);
              if (--c->pending == 0) set_ends(self, c);
            },
            [self, c, id](caf::error&) {
              c->failed.push_back(id);
              if (--c->pending == 0) set_ends(self, c);
            });
  }
  if (c->pending == 0) set_ends(self, c);
}

// Paused tasks of a sealed group: read up to `end`, publish, move the row to
// `commit_as`. A task that refuses is stopped; its group is then handled like
// any publishing group that lost its tasks.
void seal_tasks(self_ptr self, plan::seal_group s) {
  auto& st = self->state;
  for (const auto& id : s.tasks) {
    auto h = st.tasks.find(id);
    if (h == st.tasks.end()) continue;
    self->request(h->second, st.env.chat_timeout,
                  msg::set_end_offsets{s.end, true, s.commit_as, st.env.epoch})
        .then([](msg::ack&) {},
              [self, id](caf::error& err) {
                spdlog::warn(
                    "supervisor [{}]: task [{}] refused its sealed end offsets: {}",
                    self->state.spec().id, id, core::error_message(err));
                kill(self, id, "did not take its end offsets");
              });
  }
}

}  // namespace

void request_run(self_ptr self, bool now) {
  auto& st = self->state;
  if (st.run_active) {
    st.run_again = true;
    st.run_again_now = st.run_again_now || now;
    return;
  }
  // A run queued for later does not wait for its time when one is wanted
  // now: this message runs it, the later one finds nothing queued.
  if (st.run_queued && !now) return;
  st.run_queued = true;
  auto wait = st.last_run + st.env.min_run_interval - st.now();
  if (now || st.runs == 0 || wait <= core::millis{0})
    self->send(self, run_atom::value);
  else
    self->delayed_send(self, wait, run_atom::value);
}

void on_run(self_ptr self) {
  auto& st = self->state;
  if (!st.run_queued) {  // a wake-up timer: ask for a run like any event
    request_run(self);
    return;
  }
  st.run_queued = false;
  st.run_active = true;
  self->request(st.probe, st.env.store_timeout, probe_request(st, true))
      .then(
          [self](msg::stream_snapshot& s) {
            auto& st = self->state;
            st.rec->observe_stream(std::move(s.partitions), std::move(s.earliest),
                                   std::move(s.latest), st.now());
            if (!s.time_lag.empty()) st.rec->observe_time_lag(std::move(s.time_lag));
            st.rec->observe_parents(std::move(s.parents));
            // Lag is latest minus the tasks' offsets: both of this run, so a
            // fresh latest never meets offsets an offsetFetchPeriod old.
            refresh_task_offsets(self);
            fetch_row(self);
          },
          [self](caf::error& err) {
            auto& st = self->state;
            spdlog::warn("supervisor [{}]: cannot read the stream's offsets: {}",
                         st.spec().id, core::error_message(err));
            st.rec->observe_stream_error(core::error_message(err), st.now());
            fetch_row(self);
          });
}

void execute(self_ptr self, plan::actions acts,
             std::optional<caf::typed_response_promise<msg::ack>> done) {
  auto& st = self->state;
  bool writes = false;
  auto answer = [done](caf::error err) mutable {
    if (!done) return;
    if (err)
      done->deliver(std::move(err));
    else
      done->deliver(msg::ack{});
  };
  for (auto& a : acts)
    std::visit(overload{
                   [&](plan::create_task& c) { start_task(self, std::move(c.spec)); },
                   [&](plan::kill_task& k) { kill(self, k.task_id, k.reason); },
                   [&](plan::roll_over& r) { roll(self, std::move(r)); },
                   [&](plan::seal_group& s) { seal_tasks(self, std::move(s)); },
                   [&](plan::edit_offsets& e) {
                     writes = true;
                     const auto& s = st.spec();
                     self->request(st.env.metadata, st.env.store_timeout,
                                   msg::md_edit_offsets{
                                       s.id, s.type, s.stream(), std::move(e.set),
                                       std::move(e.drop), std::move(e.if_absent)})
                         .then(
                             [self, answer](core::committed_offsets& row) mutable {
                               spdlog::info("supervisor [{}]: offsets row is now {}",
                                            self->state.spec().id,
                                            core::to_json(row.offsets).dump());
                               answer({});
                             },
                             [self, answer](caf::error& err) mutable {
                               auto& st = self->state;
                               st.rec->observe_error("MetadataStorageException",
                                                     "cannot edit the offsets row: " +
                                                         core::error_message(err),
                                                     st.now());
                               answer(err);
                             });
                   },
                   [&](plan::delete_offsets&) {
                     writes = true;
                     self->request(st.env.metadata, st.env.store_timeout,
                                   msg::md_delete_offsets{st.spec().id})
                         .then([answer](bool) mutable { answer({}); },
                               [self, answer](caf::error& err) mutable {
                                 auto& st = self->state;
                                 st.rec->observe_error("MetadataStorageException",
                                                       "cannot delete the offsets row: " +
                                                           core::error_message(err),
                                                       st.now());
                                 answer(err);
                               });
                   },
               },
               a);
  if (!writes) answer({});
}

void refresh_task_offsets(self_ptr self) {
  auto& st = self->state;
  for (const auto& [id, h] : st.tasks)
    self->request(h, st.env.chat_timeout, msg::get_current_offsets{})
        .then([self, id = id](
                  msg::offsets_msg& m) { self->state.rec->task_offsets(id, m.offsets); },
              [](caf::error&) {});
}

void refresh_lag(self_ptr self) {
  auto& st = self->state;
  self->request(st.probe, st.env.store_timeout, probe_request(st, false))
      .then(
          [self](msg::stream_snapshot& s) {
            self->state.rec->observe_latest(std::move(s.latest), self->state.now());
            if (!s.time_lag.empty())
              self->state.rec->observe_time_lag(std::move(s.time_lag));
          },
          [](caf::error&) {});  // the next run records stream errors
  refresh_task_offsets(self);
}

void after_change(self_ptr self) {
  auto& st = self->state;
  const auto& s = st.spec();
  core::supervisor_summary now{s.id,       s.data_source(), s.type,
                               s.stream(), st.rec->state(), s.suspended};
  if (!st.last_summary || *st.last_summary != now) {
    st.last_summary = now;
    self->send(st.listener, msg::supervisor_state_changed{now});
  }
  if (!st.rec->stopped()) return;
  // Terminated: every reading group handed off. Answer, then stay while
  // groups publish (their tasks may ask whether a predecessor still does).
  for (auto& rp : st.stop_waiters) rp.deliver(msg::ack{});
  st.stop_waiters.clear();
  if (st.rec->publishing().empty()) self->quit();
}

void respawn_probe(self_ptr self) {
  auto& st = self->state;
  // The old probe goes when its last request is answered.
  st.probe = st.env.probes
                 ? st.env.probes->probe_for(st.spec())
                 : spawn_stream_probe(self->system(), st.spec(), st.env.open_probe,
                                      st.env.probe_placement);
}

}  // namespace sv::actors::supervisor
