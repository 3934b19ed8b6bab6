// A task's time-chunk locks: one request to the lockbox per chunk its rows
// enter; reading and publishing wait until every request is granted, and the
// listener is told while the task waits. The lockbox may be another node's
// (a cluster's leader): a request that fails is sent again a second later to
// whichever lockbox the task knows by then, and a new leader's lockbox is
// asked for every chunk again.

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/task/task_state.hpp"
#include "core/errc.hpp"

namespace sv::actors::task {

namespace {

constexpr auto retry_after = std::chrono::seconds{1};

std::string lock_group(const core::task::task_spec& t) {
  return t.supervisor_id.empty() ? t.id : "index_" + t.spec.type + "_" + t.supervisor_id;
}

std::string interval_text(int64_t start, int64_t end) {
  return core::format_utc_time(core::utc_time{core::millis{start}}) + "/" +
         core::format_utc_time(core::utc_time{core::millis{end}});
}

void on_waiting(self_ptr self, const msg::lock_acquire& req, msg::lock_reply& r) {
  auto& st = self->state;
  bool had = !st.locks_pending.count(req.start);
  st.locks_pending[req.start] = req.end;
  auto interval = interval_text(req.start, req.end);
  note(self, had ? severity::warn : severity::info,
       had ? "the new leader's lockbox gave its " + req.type + " lock on " + interval +
                 " to another group: waiting for it again"
           : "waiting for a " + req.type + " lock on " + interval +
                 " held by another group");
  if (st.env.listener) {
    st.told_waiting = true;
    self->send(st.env.listener, msg::task_lock_wait{st.spec.id, true, interval, req.type,
                                                    std::move(r.blocked_by)});
  }
}

void send_request(self_ptr self, int64_t start) {
  auto& st = self->state;
  auto chunk = st.lock_chunks.find(start);
  if (chunk == st.lock_chunks.end() || !st.env.lockbox || st.finished) return;
  msg::lock_acquire req{
      st.spec.spec.data_source(),   lock_group(st.spec), st.spec.id, start, chunk->second,
      st.spec.spec.task_lock_type()};
  auto box = st.env.lockbox;
  self->request(box, store_timeout, req)
      .then(
          [self, req, box](msg::lock_reply& r) {
            auto& st = self->state;
            if (box != st.env.lockbox || st.finished) return;  // asked again since
            if (st.lockbox_unreachable) {
              st.lockbox_unreachable = false;
              note(self, severity::info, "the lockbox answers again");
            }
            if (r.granted) {
              if (st.locks_pending.count(req.start)) on_lock_granted(self, req.start);
              return;
            }
            on_waiting(self, req, r);
          },
          [self, start, box](caf::error& err) {
            auto& st = self->state;
            if (st.finished) return;
            if (core::is(err, core::errc::invalid_input))
              return finish(self, false,
                            "cannot lock its interval: " + core::error_message(err));
            if (box != st.env.lockbox) return;  // the new lockbox was asked
            if (!st.lockbox_unreachable) {
              st.lockbox_unreachable = true;
              note(self, severity::warn,
                   "cannot get its time-chunk lock (" + core::error_message(err) +
                       "); asking again every second");
            }
            self->delayed_send(self, retry_after, lock_atom::value, start);
          });
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
    st.lock_chunks[start] = to.time_since_epoch().count();
    st.locks_pending[start] = st.lock_chunks[start];
    send_request(self, start);
  }
}

void retry_lock(self_ptr self, int64_t start) {
  send_request(self, start);
}

void use_lockbox(self_ptr self, lockbox_actor lockbox) {
  auto& st = self->state;
  if (!lockbox || lockbox == st.env.lockbox) return;
  st.env.lockbox = std::move(lockbox);
  for (const auto& [start, _] : st.lock_chunks) send_request(self, start);
}

}  // namespace sv::actors::task
