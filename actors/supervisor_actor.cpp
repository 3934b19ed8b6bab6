#include "actors/supervisor_actor.hpp"

#include <atomic>
#include <utility>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/supervisor/supervisor_state.hpp"
#include "core/errc.hpp"
#include "core/supervisor/reset_request.hpp"
#include "core/supervisor/run_slots.hpp"

namespace sv::actors {

namespace {

using supervisor::self_ptr;

// Supervisors spawned in this process so far: each draws its ids from its own
// incarnation number (core::supervisor::reconciler_config::incarnation).
std::atomic<uint64_t> incarnations{0};

std::chrono::milliseconds lag_period(const core::supervisor_spec& spec) {
  return std::max(spec.tuning.offset_fetch_period.to_millis(), core::millis{5000});
}

// The next periodic run (or lag refresh) on this supervisor's slot of
// `period` (core/supervisor/run_slots.hpp); the lag refreshes take the slot
// half a period away from it. The first tick after startDelay takes the very
// next slot; later ones at least half a period ahead.
template <class Atom>
void arm_on_slot(self_ptr self, core::millis period, core::millis shift, bool first,
                 Atom atom) {
  auto now =
      std::chrono::duration_cast<core::millis>(self->clock().now().time_since_epoch());
  auto phase = core::supervisor::run_phase(self->state.spec().id, period);
  phase = (phase + shift) % std::max(period, core::millis{1});
  auto gap = first ? core::millis{0} : period / 2;
  self->delayed_send(self, core::supervisor::until_next_slot(now, period, phase, gap),
                     atom);
}

// Tasks of this id that an earlier incarnation of this supervisor started:
// nothing knows their group any more, so they stop; the row is the truth.
void kill_leftovers(self_ptr self) {
  auto& st = self->state;
  self->request(st.env.runner, st.env.chat_timeout, msg::list_runner_tasks{st.spec().id})
      .then(
          [self](msg::runner_task_list& l) {
            for (const auto& t : l.tasks) {
              if (self->state.tasks.count(t.id) || self->state.rec->knows_task(t.id))
                continue;
              spdlog::info("supervisor [{}]: stopping task [{}] left by a previous run",
                           self->state.spec().id, t.id);
              self->request(self->state.env.runner, self->state.env.chat_timeout,
                            msg::kill_task{t.id, "left by a previous supervisor run",
                                           self->state.env.epoch})
                  .then([](msg::ack&) {}, [](caf::error&) {});
            }
          },
          [](caf::error&) {});
}

msg::supervisor_report report(self_ptr self) {
  auto& st = self->state;
  auto now = st.now();
  auto status = st.rec->status(now);
  for (auto* tasks : {&status.active_tasks, &status.publishing_tasks})
    for (auto& t : *tasks)
      if (auto w = st.lock_waits.find(t.id); w != st.lock_waits.end()) {
        core::json::array held_by;
        for (const auto& g : w->second.blocked_by) held_by.push_back(core::json{g});
        t.waiting_for_lock =
            core::json::make_object({{"interval", w->second.interval},
                                     {"lockType", w->second.type},
                                     {"heldBy", core::json{std::move(held_by)}}});
      }
  const auto& s = st.spec();
  auto payload = core::to_json(status);
  if (auto a = supervisor::autoscaler_status(self)) payload.set("autoScaler", *a);
  msg::supervisor_report out{
      s.id,
      core::format_utc_time(now),
      std::move(payload),
      core::supervisor_summary{s.id, s.data_source(), s.type, s.stream(), status.state,
                               s.suspended},
      {},
      {}};
  for (const auto& [at, lag] : st.rec->history().samples()) {
    out.lag_times.push_back(at);
    out.lag_values.push_back(lag);
  }
  return out;
}

void on_task_launched(self_ptr self, msg::task_launched& m) {
  auto& st = self->state;
  auto handle = caf::actor_cast<task_actor>(m.task);
  if (!st.rec->knows_task(m.task_id)) {
    // Killed or finished while it waited for its slot.
    self->request(st.env.runner, st.env.chat_timeout,
                  msg::kill_task{m.task_id, "not needed", st.env.epoch})
        .then([](msg::ack&) {}, [](caf::error&) {});
    return;
  }
  st.tasks[m.task_id] = handle;
  st.rec->task_started(m.task_id, st.now());
  // Druid schedules a run for when the task's duration is up.
  self->delayed_send(self,
                     st.spec().io.task_duration.to_millis() + std::chrono::seconds{1},
                     run_atom::value);
  supervisor::after_change(self);
}

void on_task_finished(self_ptr self, msg::task_finished& m) {
  auto& st = self->state;
  st.tasks.erase(m.task_id);
  st.lock_waits.erase(m.task_id);
  if (!m.success)
    spdlog::warn("supervisor [{}]: task [{}] failed: {}", st.spec().id, m.task_id,
                 m.error);
  supervisor::execute(self,
                      st.rec->task_finished(m.task_id, m.success, m.error, st.now()));
  supervisor::request_run(self);
  supervisor::after_change(self);
}

caf::result<msg::ack> on_stop(self_ptr self, msg::stop_supervisor& m) {
  auto& st = self->state;
  if (m.mode == msg::stop_mode::leave_tasks) {
    self->quit();
    return msg::ack{};
  }
  auto rp = self->make_response_promise<msg::ack>();
  st.stop_waiters.push_back(rp);
  st.rec->set_stopping();
  supervisor::request_run(self);
  supervisor::after_change(self);
  return rp;
}

caf::result<msg::ack> on_reset(self_ptr self) {
  auto& st = self->state;
  spdlog::info("supervisor [{}]: hard reset", st.spec().id);
  auto rp = self->make_response_promise<msg::ack>();
  supervisor::reset_lag_window(self);
  supervisor::execute(self, st.rec->reset(st.now()), rp);
  supervisor::request_run(self);
  return rp;
}

caf::result<msg::ack> on_reset_offsets(self_ptr self, msg::reset_supervisor_offsets& m) {
  auto& st = self->state;
  auto given = core::supervisor::parse_reset_offsets(m.body, st.spec());
  if (!given) return std::move(given.error());
  spdlog::info("supervisor [{}]: resetting offsets {}", st.spec().id,
               core::to_json(*given).dump());
  auto rp = self->make_response_promise<msg::ack>();
  supervisor::reset_lag_window(self);
  supervisor::execute(self, st.rec->reset_offsets(*given, st.now()), rp);
  supervisor::request_run(self);
  return rp;
}

supervisor_actor::behavior_type supervisor_behavior(self_ptr self,
                                                    core::supervisor_spec spec,
                                                    supervisor_listener listener,
                                                    supervisor_env env) {
  auto& st = self->state;
  st.env = std::move(env);
  if (!st.env.clock) st.env.clock = core::utc_now;
  st.listener = std::move(listener);
  auto planner = st.env.planner;
  planner.incarnation = ++incarnations;
  st.rec =
      std::make_unique<core::supervisor::reconciler>(std::move(spec), planner, st.now());
  supervisor::respawn_probe(self);
  supervisor::respawn_autoscaler(self);
  if (st.env.epoch > 0)
    supervisor::discover_tasks(self);
  else
    kill_leftovers(self);
  auto start_delay = st.spec().io.start_delay.to_millis();
  self->delayed_send(self, start_delay, tick_atom::value);
  self->delayed_send(self, start_delay, lag_atom::value);
  supervisor::after_change(self);
  return {
      [self](msg::get_supervisor_status&) { return report(self); },
      [self](msg::spec_updated& m) {
        auto& st = self->state;
        st.rec->update_spec(std::move(m.spec), st.now());
        supervisor::respawn_probe(self);
        supervisor::respawn_autoscaler(self);
        supervisor::request_run(self);
        supervisor::after_change(self);
      },
      [self](msg::stop_supervisor& m) { return on_stop(self, m); },
      [self](msg::reset_supervisor&) { return on_reset(self); },
      [self](msg::reset_supervisor_offsets& m) { return on_reset_offsets(self, m); },
      [self](msg::handoff_task_groups& m) -> msg::ack {
        self->state.rec->handoff(m.groups);
        supervisor::request_run(self);
        return {};
      },
      [self](msg::get_supervisor_stats&) { return supervisor::collect_stats(self); },
      [self](msg::get_parse_errors&) { return supervisor::collect_parse_errors(self); },
      [self](msg::reset_and_backfill& m) { return supervisor::start_backfill(self, m); },
      [self](backfill_atom) { supervisor::backfill_step(self); },
      [self](msg::get_lag_sample&) { return supervisor::lag_sample(self); },
      [self](msg::scale_notice& m) { supervisor::on_scale_notice(self, m); },

      [self](msg::checkpoint_requested& m) {
        auto& st = self->state;
        supervisor::execute(self, st.rec->checkpoint_requested(
                                      m.task_id, m.group_id, m.sequence_start, st.now()));
      },
      [self](msg::task_finished& m) { on_task_finished(self, m); },
      [self](msg::task_lock_wait& m) {
        auto& st = self->state;
        if (!m.waiting) {
          st.lock_waits.erase(m.task_id);
          return;
        }
        spdlog::warn(
            "supervisor [{}]: task [{}] waits for a {} lock on {} held by {}",
            st.spec().id, m.task_id, m.type, m.interval,
            m.blocked_by.empty() ? std::string{"another group"} : m.blocked_by.front());
        st.lock_waits[m.task_id] = std::move(m);
      },

      [self](msg::task_problem& m) {
        auto& st = self->state;
        st.rec->observe_task_problem(m.task_id, m.message, st.now());
      },
      [self](msg::predecessor_query& m) {
        return self->state.rec->predecessor_publishing(m.group_id, m.partitions);
      },
      [self](msg::task_launched& m) { on_task_launched(self, m); },
      [self](run_atom) { supervisor::on_run(self); },
      [self](tick_atom) {
        auto& st = self->state;
        supervisor::request_run(self);
        arm_on_slot(self, st.spec().io.period.to_millis(), core::millis{0},
                    !std::exchange(st.ticks_on_slot, true), tick_atom::value);
      },
      [self](lag_atom) {
        auto& st = self->state;
        supervisor::refresh_lag(self);
        auto period = lag_period(st.spec());
        arm_on_slot(self, period, period / 2, !std::exchange(st.lags_on_slot, true),
                    lag_atom::value);
      },
  };
}

}  // namespace

supervisor_actor spawn_supervisor(caf::actor_system& sys, core::supervisor_spec spec,
                                  supervisor_listener listener, supervisor_env env) {
  return sys.spawn(supervisor_behavior, std::move(spec), std::move(listener),
                   std::move(env));
}

}  // namespace sv::actors
