#include "actors/task_runner_actor.hpp"

#include <deque>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "core/errc.hpp"
#include "core/ingest/row_stats.hpp"
#include "core/task/report.hpp"

namespace sv::actors {

namespace {

constexpr auto store_timeout = std::chrono::seconds{30};

struct entry {
  core::task::task_spec spec;
  caf::strong_actor_ptr listener;
  caf::actor handle;  ///< set while running
  core::utc_time created{};
  core::utc_time started{};
  std::string kill_reason;
  int64_t epoch = 0;              ///< the newest leader epoch that placed or adopted it
  caf::strong_actor_ptr lockbox;  ///< the leader's; null: the runner's own
};

struct runner_state {
  // Not an aggregate: CAF would otherwise try to construct the state from `self`.
  runner_state() = default;
  task_runner_config cfg;
  std::map<std::string, entry> tasks;
  std::deque<std::string> queue;
  int32_t running = 0;
  std::optional<core::utc_time> last_completed;
  static inline const char* name = "task_runner";
};

using self_ptr = task_runner_actor::stateful_pointer<runner_state>;

void write_row(self_ptr self, const entry& e, const std::string& status,
               core::json report, const std::string& location, int64_t duration_ms = -1) {
  auto row = core::task::task_row(e.spec, status, e.created, location, std::move(report));
  row.duration_ms = duration_ms;
  self->request(self->state.cfg.env.metadata, store_timeout,
                msg::md_upsert_task{std::move(row)})
      .then([](msg::ack&) {},
            [id = e.spec.id](caf::error& err) {
              spdlog::warn("task runner: cannot write the row of task [{}]: {}", id,
                           core::error_message(err));
            });
}

// The task ended without reporting itself (killed, crashed, never started).
void report_failure(self_ptr self, const entry& e, const std::string& error) {
  core::ingest::row_stats none;
  auto report = core::task::completion_report(e.spec.id, "NOT_STARTED", none, error, {});
  auto ran =
      e.handle
          ? std::chrono::duration_cast<core::millis>(core::utc_now() - e.started).count()
          : int64_t{0};
  write_row(self, e, "FAILED", report, e.handle ? self->state.cfg.env.location : "", ran);
  if (e.listener)
    self->send(
        caf::actor_cast<task_listener>(e.listener),
        msg::task_finished{e.spec.id, e.spec.group_id, false, error, std::move(report)});
}

void start_queued(self_ptr self) {
  auto& st = self->state;
  while (st.running < st.cfg.capacity && !st.queue.empty()) {
    auto id = st.queue.front();
    st.queue.pop_front();
    auto it = st.tasks.find(id);
    if (it == st.tasks.end()) continue;
    auto& e = it->second;
    auto env = st.cfg.env;
    env.listener = caf::actor_cast<task_listener>(e.listener);
    env.epoch = e.epoch;
    if (e.lockbox) env.lockbox = caf::actor_cast<lockbox_actor>(e.lockbox);
    auto handle = st.cfg.spawn ? st.cfg.spawn(self->system(), e.spec, std::move(env))
                               : spawn_task(self->system(), e.spec, std::move(env));
    e.handle = caf::actor_cast<caf::actor>(handle);
    e.started = core::utc_now();
    self->monitor(e.handle);
    ++st.running;
    if (e.listener)
      self->send(caf::actor_cast<task_owner>(e.listener),
                 msg::task_launched{id, caf::actor_cast<caf::strong_actor_ptr>(handle),
                                    core::format_utc_time(e.started)});
  }
}

void on_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  for (auto it = st.tasks.begin(); it != st.tasks.end(); ++it) {
    auto& e = it->second;
    if (!e.handle || e.handle.address() != dm.source) continue;
    --st.running;
    st.last_completed = core::utc_now();
    // finish() quits with normal (SUCCESS) or user_shutdown (FAILED) after
    // writing its row and telling its listener; anything else did neither.
    bool reported = dm.reason == caf::exit_reason::normal ||
                    dm.reason == caf::exit_reason::user_shutdown;
    if (!reported)
      report_failure(self, e,
                     e.kill_reason.empty()
                         ? "the task exited unexpectedly: " + caf::to_string(dm.reason)
                         : "Task was killed: " + e.kill_reason);
    st.tasks.erase(it);
    break;
  }
  start_queued(self);
}

// Rows of tasks that were RUNNING when an earlier process stopped.
void fail_orphans(self_ptr self) {
  core::task_filter f;
  f.status = "RUNNING";
  self->request(self->state.cfg.env.metadata, store_timeout, msg::md_list_tasks{f})
      .then(
          [self](msg::task_list& l) {
            for (auto& row : l.tasks) {
              if (self->state.tasks.count(row.id)) continue;
              if (self->state.cfg.own_rows_only &&
                  row.location != self->state.cfg.env.location)
                continue;
              spdlog::warn(
                  "task [{}] was running when the node stopped: marking it FAILED",
                  row.id);
              core::ingest::row_stats none;
              row.status = "FAILED";
              row.report = core::task::completion_report(
                  row.id, "NOT_STARTED", none,
                  "The node stopped before the task finished", {});
              caf::anon_send(self->state.cfg.env.metadata,
                             msg::md_upsert_task{std::move(row)});
            }
          },
          [](caf::error& err) {
            spdlog::warn("task runner: cannot list tasks left running: {}",
                         core::error_message(err));
          });
}

msg::runner_task describe(const entry& e, const std::string& location) {
  return msg::runner_task{e.spec.id,
                          e.spec.supervisor_id,
                          e.spec.data_source(),
                          e.spec.type(),
                          e.spec.group_id,
                          e.handle ? "RUNNING" : "PENDING",
                          core::format_utc_time(e.created),
                          e.handle ? core::format_utc_time(e.started) : "",
                          e.handle ? location : ""};
}

task_runner_actor::behavior_type runner_behavior(self_ptr self, task_runner_config cfg) {
  self->state.cfg = std::move(cfg);
  if (self->state.cfg.capacity < 1) self->state.cfg.capacity = 1;
  self->set_down_handler([self](caf::down_msg& dm) { on_down(self, dm); });
  // Tasks die with the runner.
  self->set_exit_handler([self](caf::exit_msg& em) {
    for (auto& [_, e] : self->state.tasks)
      if (e.handle) self->send_exit(e.handle, caf::exit_reason::kill);
    self->quit(em.reason);
  });

  if (!self->state.cfg.own_rows_only) fail_orphans(self);
  return {
      [self](msg::run_task& m) -> caf::result<msg::ack> {
        auto& st = self->state;
        if (st.tasks.count(m.spec.id))
          return core::make_error(core::errc::conflict,
                                  "task [" + m.spec.id + "] already exists");
        auto id = m.spec.id;
        entry e{std::move(m.spec), std::move(m.listener), {}, core::utc_now(), {}, {},
                m.epoch,           std::move(m.lockbox)};
        write_row(self, e, "RUNNING", core::json{}, "");
        st.tasks.emplace(id, std::move(e));
        st.queue.push_back(id);
        start_queued(self);
        return msg::ack{};
      },
      [self](msg::kill_task& m) -> caf::result<msg::ack> {
        auto& st = self->state;
        auto it = st.tasks.find(m.task_id);
        if (it == st.tasks.end()) return msg::ack{};
        auto& e = it->second;
        if (m.epoch >= 0 && m.epoch < e.epoch) {
          auto why = "refused to kill task [" + m.task_id + "] for leader epoch " +
                     std::to_string(m.epoch) + ": epoch " + std::to_string(e.epoch) +
                     " placed or adopted it";
          spdlog::warn("{}", why);
          return core::make_error(core::errc::conflict, why);
        }
        if (e.handle) {
          e.kill_reason = m.reason;
          self->send_exit(e.handle, caf::exit_reason::kill);
          return msg::ack{};
        }
        std::erase(st.queue, m.task_id);
        report_failure(self, e, "Task was killed before it started: " + m.reason);
        st.tasks.erase(it);
        return msg::ack{};
      },
      [self](msg::list_runner_tasks& m) {
        msg::runner_task_list out;
        out.capacity = self->state.cfg.capacity;
        out.location = self->state.cfg.env.location;
        if (self->state.last_completed)
          out.last_completed = core::format_utc_time(*self->state.last_completed);
        for (const auto& [_, e] : self->state.tasks)
          if (m.supervisor_id.empty() || e.spec.supervisor_id == m.supervisor_id)
            out.tasks.push_back(describe(e, self->state.cfg.env.location));
        return out;
      },
      [self](msg::set_runner_location& m) {
        bool first = self->state.cfg.env.location == "local";
        self->state.cfg.env.location = std::move(m.location);
        if (first && self->state.cfg.own_rows_only) fail_orphans(self);
      },
      [self](msg::adopt_tasks& m) {
        msg::adopted_tasks out;
        for (auto& [id, e] : self->state.tasks) {
          if (e.spec.supervisor_id != m.supervisor_id) continue;
          if (m.epoch < e.epoch) {
            spdlog::warn(
                "task [{}] not handed to the supervisor of leader epoch {}: "
                "epoch {} adopted it",
                id, m.epoch, e.epoch);
            continue;
          }
          e.epoch = m.epoch;
          e.listener = m.listener;
          if (m.lockbox) e.lockbox = m.lockbox;
          if (!e.handle) continue;  // task_launched goes to the new listener
          self->request(caf::actor_cast<task_actor>(e.handle), std::chrono::seconds{10},
                        msg::set_listener{m.listener, m.epoch, m.lockbox})
              .then([](msg::ack&) {},
                    [id = id](caf::error& err) {
                      spdlog::warn("task [{}] was not adopted: {}", id,
                                   core::error_message(err));
                    });
          out.tasks.push_back({e.spec, caf::actor_cast<caf::strong_actor_ptr>(e.handle),
                               core::format_utc_time(e.started),
                               self->state.cfg.env.location});
        }
        return out;
      },
      [self](msg::get_live_report& m) -> caf::result<core::json> {
        auto it = self->state.tasks.find(m.task_id);
        if (it == self->state.tasks.end() || !it->second.handle)
          return core::make_error(core::errc::not_found,
                                  "task [" + m.task_id + "] is not running");
        auto rp = self->make_response_promise<core::json>();
        self->request(caf::actor_cast<task_actor>(it->second.handle),
                      std::chrono::seconds{10}, msg::get_task_report{})
            .then([rp](core::json& j) mutable { rp.deliver(std::move(j)); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
  };
}

}  // namespace

task_runner_actor spawn_task_runner(caf::actor_system& sys, task_runner_config cfg) {
  return sys.spawn(runner_behavior, std::move(cfg));
}

}  // namespace sv::actors
