#include "actors/task_actor.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/task/task_state.hpp"
#include "adapters/errc.hpp"
#include "core/errc.hpp"
#include "core/task/report.hpp"

namespace sv::actors {

namespace task {

core::json report(self_ptr self, const std::string& error) {
  auto& st = self->state;
  auto state = st.finished && error.empty()  ? "COMPLETED"
               : st.ph == phase::not_started ? "NOT_STARTED"
                                             : "BUILD_SEGMENTS";
  return core::task::completion_report(st.spec.id, state, st.pipe->stats(), error,
                                       st.published);
}

void note(self_ptr self, severity level, const std::string& message) {
  auto& st = self->state;
  static constexpr std::string_view names[] = {"INFO", "WARN", "ERROR"};
  if (st.log) st.log->write(names[static_cast<int>(level)], message);
  switch (level) {
    case severity::info:
      return spdlog::info("task [{}]: {}", st.spec.id, message);
    case severity::warn:
      return spdlog::warn("task [{}]: {}", st.spec.id, message);
    case severity::error:
      return spdlog::error("task [{}]: {}", st.spec.id, message);
  }
}

void report_problem(self_ptr self, const std::string& message) {
  auto& st = self->state;
  if (message == st.last_problem) return;
  st.last_problem = message;
  if (st.env.listener)
    self->send(st.env.listener, msg::task_problem{st.spec.id, message});
}

void write_row(self_ptr self, const std::string& status, core::json report_json) {
  auto& st = self->state;
  auto row = core::task::task_row(st.spec, status, st.started, st.env.location,
                                  std::move(report_json));
  if (status != "RUNNING")
    row.duration_ms =
        std::chrono::duration_cast<core::millis>(core::utc_now() - st.started).count();
  self->request(st.env.metadata, store_timeout, msg::md_upsert_task{std::move(row)})
      .then([](msg::ack&) {},
            [id = st.spec.id](caf::error& e) {
              spdlog::warn("task [{}]: cannot write its task row: {}", id,
                           core::error_message(e));
            });
}

void finish(self_ptr self, bool success, const std::string& error) {
  auto& st = self->state;
  if (st.finished) return;
  st.finished = true;
  if (success)
    note(self, severity::info,
         "finished: SUCCESS, " + std::to_string(st.published.size()) +
             " segments published");
  else
    note(self, severity::error, "finished: FAILED: " + error);
  auto rep = report(self, error);
  write_row(self, success ? "SUCCESS" : "FAILED", rep);
  if (st.env.listener)
    self->send(st.env.listener, msg::task_finished{st.spec.id, st.spec.group_id, success,
                                                   error, std::move(rep)});
  st.pipe->close();
  self->quit(success ? caf::exit_reason::normal : caf::exit_reason::user_shutdown);
}

void schedule_read(self_ptr self) {
  auto& st = self->state;
  if (st.read_scheduled || st.ph != phase::reading || !st.locks_pending.empty()) return;
  st.read_scheduled = true;
  self->send(self, read_atom::value);
}

// After each batch: memory limits, handoff, finished partitions, publishing.
void after_batch(self_ptr self) {
  auto& st = self->state;
  const auto& tuning = st.spec.spec.tuning;
  // intermediatePersistPeriod is checked here, after each read (a blocking
  // reader returns at least every pollTimeout), not with a timer: a delayed
  // message would hold a killed detached task (and its thread) until it
  // fired. A cooperative task also checks on its timer (check_atom).
  bool persist_due =
      core::utc_now() - st.last_persist >= tuning.intermediate_persist_period.to_millis();
  if (persist_due || st.pipe->over_memory_limit()) {
    st.last_persist = core::utc_now();
    if (auto err = st.pipe->persist_all())
      return finish(self, false, core::error_message(err));
  } else if (auto err = st.pipe->reap_persists()) {  // a background persist failed
    return finish(self, false, core::error_message(err));
  }
  auto open_idx = static_cast<int32_t>(st.seqs->all().size()) - 1;
  bool handoff = !st.seqs->has_final_end() && !st.checkpoint_pending &&
                 (st.pipe->rows(open_idx) >= tuning.max_rows_per_segment ||
                  st.pipe->total_rows() >= tuning.max_total_rows ||
                  core::utc_now() - st.sequence_started >=
                      tuning.intermediate_handoff_period.to_millis());
  if (handoff) {
    st.sequence_started = core::utc_now();
    if (st.env.listener) {
      // Druid's protocol: pause, and let the supervisor set the end for all replicas.
      st.checkpoint_pending = true;
      st.ph = phase::paused;
      self->send(st.env.listener, msg::checkpoint_requested{st.spec.id, st.spec.group_id,
                                                            st.seqs->open().start});
    } else if (auto err = st.seqs->set_end(st.seqs->position(), false)) {
      return finish(self, false, core::error_message(err));
    }
  }
  // Build and publish in a message of their own, so requests already queued
  // (status, pause, row stats) are answered before the build starts.
  if (!st.seqs->ready().empty()) self->send(self, build_atom::value);
}

void on_read(self_ptr self) {
  auto& st = self->state;
  st.read_scheduled = false;
  if (st.ph != phase::reading || st.finished) return;
  auto before = st.seqs->to_read().size();
  if (before == 0) return maybe_publish(self);
  auto n = st.pipe->read(*st.seqs);
  if (!n && !adapters::is(n.error(), adapters::errc::stream_unreachable))
    return finish(self, false, core::error_message(n.error()));
  if (st.finished) return;
  request_locks(self);
  // Stop fetching partitions that reached the final end.
  auto to_read = st.seqs->to_read();
  if (to_read.size() != before && !to_read.empty())
    if (auto err = st.pipe->reassign(to_read))
      return finish(self, false, core::error_message(err));
  after_batch(self);
  // A cooperative reader is read again while it returns records; after an
  // empty read its client's wakeup says when.
  bool more = !st.pipe->cooperative() || (n && *n > 0);
  if (!st.finished && more && !st.seqs->to_read().empty()) schedule_read(self);
}

// A cooperative task's timer: the checks after_batch makes, while no records
// arrive, and one read (a reader that lost its brokers says so there).
void on_check(self_ptr self) {
  auto& st = self->state;
  if (st.finished) return;
  if (st.ph == phase::reading && !st.read_scheduled && st.locks_pending.empty() &&
      !st.seqs->to_read().empty()) {
    st.read_scheduled = true;
    on_read(self);
  }
  if (!st.finished) self->delayed_send(self, check_interval, check_atom::value);
}

// Sequences as the group has them: closed at each earlier checkpoint, then
// open (or final at the known end).
std::unique_ptr<core::task::sequences> make_sequences(const core::task::task_spec& t) {
  if (t.checkpoints.empty())
    return std::make_unique<core::task::sequences>(t.start, t.end, t.commit_as);
  auto seqs = std::make_unique<core::task::sequences>(t.start);
  for (const auto& cp : t.checkpoints)
    if (seqs->set_end(cp, false)) return nullptr;
  if (t.end && seqs->set_end(*t.end, true, t.commit_as)) return nullptr;
  return seqs;
}

void start(self_ptr self) {
  auto& st = self->state;
  st.ph = phase::starting;
  st.started = core::utc_now();
  st.sequence_started = st.started;
  write_row(self, "RUNNING", core::json{});
  if (auto err = st.pipe->open()) return finish(self, false, core::error_message(err));
  st.seqs = make_sequences(st.spec);
  if (!st.seqs)
    return finish(self, false, "the task's checkpoints do not fit its offsets");

  if (st.spec.end)
    if (auto err = st.pipe->reassign(st.seqs->to_read()))
      return finish(self, false, core::error_message(err));
  st.ph = phase::reading;
  st.last_persist = core::utc_now();
  note(self, severity::info,
       "started: group " + std::to_string(st.spec.group_id) + " of supervisor [" +
           st.spec.supervisor_id + "], reading from " +
           core::to_json(st.spec.start).dump() +
           (st.spec.end ? " to " + core::to_json(*st.spec.end).dump() : std::string{}));
  maybe_publish(self);  // an empty bounded range is complete at once
  schedule_read(self);
  if (st.pipe->cooperative()) self->delayed_send(self, check_interval, check_atom::value);
}

// A command of a leader older than the one that placed or adopted the task
// (a deposed leader that has not noticed yet): refused, and said in the log.
caf::error refuse_older(self_ptr self, int64_t epoch, const char* what) {
  auto& st = self->state;
  if (epoch >= st.leader_epoch) return {};
  auto why = std::string{"refused a "} + what + " command of leader epoch " +
             std::to_string(epoch) + ": epoch " + std::to_string(st.leader_epoch) +
             " leads";
  note(self, severity::warn, why);
  return core::make_error(core::errc::conflict, why);
}

task_actor::behavior_type task_behavior(self_ptr self, core::task::task_spec spec,
                                        task_env env) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.env = std::move(env);
  st.leader_epoch = st.env.epoch;
  st.pipe = std::make_unique<ingest_pipeline>(st.spec, st.env);
  st.pipe->track_chunks(static_cast<bool>(st.env.lockbox));
  st.pipe->set_wakeup([weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl())] {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<caf::actor>(strong), wake_atom::value);
  });
  if (!st.env.log_dir.empty()) {
    st.log = adapters::open_task_log(st.env.log_dir, st.spec.id);
    st.pipe->set_log(st.log.get());
  }

  // The pipeline closes its reader when the state goes (CAF destroys the
  // state before it runs attached functors, so none may reach into it).
  start(self);
  return {
      [self](msg::get_task_status&) {
        auto& st = self->state;
        return msg::task_status_reply{
            std::string{name_of(st.ph)},
            st.ph == phase::not_started ? "" : core::format_utc_time(st.started)};
      },
      [self](msg::pause_task& m) -> caf::result<msg::offsets_msg> {
        auto& st = self->state;
        if (auto err = refuse_older(self, m.epoch, "pause")) return err;
        if (st.ph == phase::publishing)
          return core::make_error(core::errc::conflict,
                                  "Can't pause, task is publishing");
        st.ph = phase::paused;
        note(self, severity::info,
             "paused at " + core::to_json(st.seqs->position()).dump());
        return msg::offsets_msg{st.seqs->position()};
      },
      [self](msg::resume_task& m) -> caf::result<msg::ack> {
        auto& st = self->state;
        if (auto err = refuse_older(self, m.epoch, "resume")) return err;
        if (st.ph == phase::paused) {
          note(self, severity::info, "resumed");
          st.ph = phase::reading;
          schedule_read(self);
        }
        return msg::ack{};
      },
      [self](msg::get_current_offsets&) {
        return msg::offsets_msg{self->state.seqs->position()};
      },
      [self](msg::get_end_offsets&) {
        return msg::offsets_msg{
            self->state.seqs->final_end().value_or(core::offset_map{})};
      },
      [self](msg::set_end_offsets& m) -> caf::result<msg::ack> {
        auto& st = self->state;
        if (auto err = refuse_older(self, m.epoch, "end offsets")) return err;
        if (st.ph != phase::paused)
          return core::make_error(core::errc::conflict,
                                  "Task must be paused before changing the end offsets");
        if (auto err = st.seqs->set_end(m.end, m.finish, m.commit_as)) return err;
        note(self, severity::info,
             std::string{m.finish ? "end offsets set to " : "checkpoint at "} +
                 core::to_json(m.end).dump() +
                 (!m.commit_as || *m.commit_as == m.end
                      ? std::string{}
                      : ", committing the row as " + core::to_json(*m.commit_as).dump()));
        st.checkpoint_pending = false;
        if (m.finish)
          if (auto to_read = st.seqs->to_read(); !to_read.empty())
            if (auto err = st.pipe->reassign(to_read)) return err;
        st.ph = phase::reading;
        maybe_publish(self);
        schedule_read(self);
        return msg::ack{};
      },
      [self](msg::set_listener& m) -> caf::result<msg::ack> {
        auto& st = self->state;
        if (m.epoch < st.leader_epoch)
          return core::make_error(core::errc::conflict,
                                  "refused a listener of leader epoch " +
                                      std::to_string(m.epoch) + ": epoch " +
                                      std::to_string(st.leader_epoch) + " leads");
        st.leader_epoch = m.epoch;
        st.env.listener = caf::actor_cast<task_listener>(m.listener);
        note(self, severity::info,
             "adopted by the supervisor of leader epoch " + std::to_string(m.epoch));
        task::use_lockbox(self, caf::actor_cast<lockbox_actor>(m.lockbox));
        return msg::ack{};
      },
      [self](msg::get_checkpoints&) {
        msg::checkpoints_msg out;
        for (const auto& s : self->state.seqs->all()) out.checkpoints[s.id] = s.start;
        return out;
      },
      [self](msg::stop_task&) -> msg::ack {
        auto& st = self->state;
        note(self, severity::info, "told to stop: publishing what it read");
        if (!st.seqs->has_final_end()) {
          st.seqs->set_end(st.seqs->position(), true);
          if (st.ph == phase::paused) st.ph = phase::reading;
        }
        maybe_publish(self);
        return {};
      },
      [self](msg::get_row_stats&) {
        auto j = self->state.pipe->stats().to_json(core::utc_now());
        j.set("autoscalerMetrics", core::json::make_object({{"pollIdleRatio", 0.0}}));
        return j;
      },
      [self](msg::get_task_report&) {
        return report(self, self->state.pipe->last_error());
      },
      [self](msg::lock_granted& m) { on_lock_granted(self, m.start); },
      [self](read_atom) { on_read(self); },
      [self](wake_atom) { schedule_read(self); },  // records for a cooperative reader
      [self](check_atom) { on_check(self); },
      [self](persist_atom) {  // persist now (tests; operators' tools)
        auto& st = self->state;
        if (st.finished) return;
        st.last_persist = core::utc_now();
        if (auto err = st.pipe->persist_all())
          return finish(self, false, core::error_message(err));
      },
      [self](build_atom) { maybe_publish(self); },
      [self](built_atom) { on_build_done(self); },
      [self](lock_atom, int64_t start) { task::retry_lock(self, start); },
      [self](publish_atom) {
        if (self->state.request && !self->state.finished) send_publish(self);
      },
  };
}

}  // namespace task

task_actor spawn_task(caf::actor_system& sys, core::task::task_spec spec, task_env env,
                      placement where) {
  if (where == placement::detached && !reads_shared(spec, env))
    return sys.spawn<caf::detached>(task::task_behavior, std::move(spec), std::move(env));
  return sys.spawn(task::task_behavior, std::move(spec), std::move(env));
}

}  // namespace sv::actors
