// A task's time-chunk locks: one request to the lockbox per chunk its rows
// enter; reading and publishing wait until every request is granted, and the
// listener is told while the task waits.

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/task/task_state.hpp"
#include "core/errc.hpp"

namespace sv::actors::task {

namespace {

std::string lock_group(const core::task::task_spec& t) {
  return t.supervisor_id.empty() ? t.id : "index_" + t.spec.type + "_" + t.supervisor_id;
}

}  // namespace

void on_lock_granted(self_ptr self, int64_t start) {
  auto& st = self->state;
  if (!st.locks_pending.erase(start) || !st.locks_pending.empty() || st.finished) return;
  if (st.told_waiting && st.env.listener) {
    st.told_waiting = false;
    self->send(st.env.listener, msg::task_lock_wait{st.spec.id, false, "", "", {}});
  }
  maybe_publish(self);
  schedule_read(self);
}

// Asks the lockbox for the chunks the last batch entered; reading and
// publishing wait until every one is granted.
void request_locks(self_ptr self) {
  auto& st = self->state;
  if (!st.env.lockbox) return;
  for (auto [from, to] : st.pipe->take_new_chunks()) {
    auto start = from.time_since_epoch().count();
    auto end = to.time_since_epoch().count();
    st.locks_pending[start] = end;
    msg::lock_acquire req{
        st.spec.spec.data_source(),   lock_group(st.spec), st.spec.id, start, end,
        st.spec.spec.task_lock_type()};
    self->request(st.env.lockbox, store_timeout, req)
        .then(
            [self, start, req](msg::lock_reply& r) {
              auto& st = self->state;
              if (r.granted) return on_lock_granted(self, start);
              auto interval =
                  core::format_utc_time(core::utc_time{core::millis{start}}) + "/" +
                  core::format_utc_time(core::utc_time{core::millis{req.end}});
              note(self, severity::info,
                   "waiting for a " + req.type + " lock on " + interval +
                       " held by another group");
              if (st.env.listener) {
                st.told_waiting = true;
                self->send(st.env.listener,
                           msg::task_lock_wait{st.spec.id, true, interval, req.type,
                                               std::move(r.blocked_by)});
              }
            },
            [self](caf::error& err) {
              finish(self, false,
                     "cannot lock its interval: " + core::error_message(err));
            });
  }
}

}  // namespace sv::actors::task
