// Reset to latest and backfill, the supervisor actor's conversation
// (DESIGN.md §3.1). The planner decides (core/supervisor/backfill.cpp); this
// file pauses tasks, reads the latest offsets, has the manager create the
// backfill supervisor (its spec, the row's jump and the audit row in one
// transaction, then the supervisor started), and seals the paused groups.

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/supervisor/supervisor_state.hpp"
#include "core/errc.hpp"
#include "core/supervisor/backfill_spec.hpp"

namespace sv::actors::supervisor {

namespace {

namespace plan = core::supervisor;

constexpr int max_busy_attempts = 50;   // x 200 ms: a roll-over in flight
constexpr int max_store_attempts = 20;  // backoff up to 2 s: about 30 s
constexpr int max_id_attempts = 5;      // ids drawn again when taken

void finish(self_ptr self, caf::error err) {
  auto& st = self->state;
  auto conv = std::move(st.backfill);
  if (!conv) return;
  if (err) conv->rp.deliver(std::move(err));
}

// Nothing was persisted: the paused tasks read on, nothing changed.
void abort(self_ptr self, caf::error err) {
  auto& st = self->state;
  spdlog::warn("supervisor [{}]: reset and backfill abandoned: {}", st.spec().id,
               core::error_message(err));
  st.rec->abort_backfill();
  for (const auto& id : st.backfill->paused_tasks)
    if (auto h = st.tasks.find(id); h != st.tasks.end())
      self->request(h->second, st.env.chat_timeout, msg::resume_task{st.env.epoch})
          .then([](msg::ack&) {}, [](caf::error&) {});
  finish(self, std::move(err));
  request_run(self);
}

// The backfill supervisor exists and runs, and the row's jump is committed:
// the paused groups end at P and new groups start at L.
void seal(self_ptr self) {
  auto& st = self->state;
  auto& c = *st.backfill;
  auto acts = st.rec->seal_backfill(c.paused, c.range, st.now());
  execute(self, std::move(acts));
  spdlog::info(
      "supervisor [{}]: reset to latest: old groups end at {}, new groups start at {}; "
      "backfill supervisor [{}] reads the range between",
      st.spec().id, core::to_json(c.range.start).dump(),
      core::to_json(c.range.end).dump(), c.backfill_id);
  c.rp.deliver(
      msg::backfill_reply{st.spec().id, c.backfill_id, c.range.start, c.range.end});
  reset_lag_window(self);

  finish(self, {});
  request_run(self, true);  // the new groups start reading at L now
  after_change(self);
}

// A fresh id and the backfill's spec for it.
caf::error name_backfill(self_ptr self) {
  auto& st = self->state;
  auto& c = *st.backfill;
  c.backfill_id = st.rec->next_backfill_id();
  auto jump = c.range.jump();
  // The backfill reads the partitions with P < L; with none it has nothing to
  // read and completes at once.
  core::bounded_range range = jump.empty()
                                  ? core::bounded_range{c.range.start, c.range.end}
                                  : core::bounded_range{jump.from, jump.to};
  auto spec =
      plan::make_backfill_spec(st.spec(), c.backfill_id, range, c.request.task_count);
  if (!spec) return std::move(spec.error());
  c.backfill_spec = std::move(*spec);
  return {};
}

// The manager commits the backfill's spec with the row's jump and the audit
// row in one transaction and starts the backfill supervisor; only then does
// the reset go on. An id that turns out taken is drawn again.
void persist(self_ptr self) {
  auto& st = self->state;
  auto& c = *st.backfill;
  c.step = backfill_conversation::step::persist;
  const auto& s = st.spec();
  core::audit_record audit;
  audit.key = s.id;
  audit.type = "supervisor.resetToLatestAndBackfill";
  audit.author = c.request.author;
  audit.payload = core::json::make_object({{"backfillSupervisorId", c.backfill_id},
                                           {"startOffsets", core::to_json(c.range.start)},
                                           {"endOffsets", core::to_json(c.range.end)}});
  msg::md_begin_backfill begin{s.id,
                               s.type,
                               s.stream(),
                               c.range.jump(),
                               c.backfill_id,
                               core::to_json(c.backfill_spec),
                               std::move(audit)};
  // No timeout of our own: the manager always answers (its store request has
  // one), and a retry while its transaction is still in flight would find
  // the id reserved and draw a second backfill over the same range.
  self->request(st.listener, caf::infinite,
                msg::create_backfill_supervisor{std::move(begin), c.backfill_spec})
      .then([self](msg::ack&) { seal(self); },
            [self](caf::error& err) {
              auto& c = *self->state.backfill;
              if (core::is(err, core::errc::conflict)) {
                if (++c.id_attempts >= max_id_attempts) return abort(self, err);
                spdlog::warn("supervisor [{}]: reset and backfill: {}; drawing a new id",
                             self->state.spec().id, core::error_message(err));
                if (auto e = name_backfill(self)) return abort(self, e);
                return persist(self);
              }
              if (++c.store_attempts >= max_store_attempts) return abort(self, err);
              spdlog::warn(
                  "supervisor [{}]: reset and backfill: the store failed ({}); retrying",
                  self->state.spec().id, core::error_message(err));
              auto delay = std::chrono::milliseconds{
                  std::min(2000, 100 << std::min(c.store_attempts, 5))};
              self->delayed_send(self, delay, backfill_atom::value);
            });
}

void after_latest(self_ptr self, const core::offset_map& latest) {
  auto& st = self->state;
  auto& c = *st.backfill;
  c.range = st.rec->backfill_range(c.paused, latest);
  if (auto err = name_backfill(self)) return abort(self, err);
  persist(self);
}

void after_pause(self_ptr self) {
  auto& st = self->state;
  auto& c = *st.backfill;
  for (const auto& id : c.failed) {
    spdlog::warn("supervisor [{}]: task [{}] did not pause for the reset; stopping it",
                 st.spec().id, id);
    self->request(st.env.runner, st.env.store_timeout,
                  msg::kill_task{id, "did not pause", st.env.epoch})
        .then([](msg::ack&) {}, [](caf::error&) {});
  }
  self->request(st.probe, st.env.store_timeout, msg::probe_stream{false, {}})
      .then([self](msg::stream_snapshot& s) { after_latest(self, s.latest); },
            [self](caf::error& err) {
              abort(self,
                    core::make_error(core::errc::internal,
                                     "Skipping reset: Failed to get latest offsets: " +
                                         core::error_message(err)));
            });
}

void pause_all(self_ptr self) {
  auto& st = self->state;
  auto conv = st.backfill;
  for (const auto& g : conv->plan.groups)
    for (const auto& id : g.tasks) {
      auto h = st.tasks.find(id);
      if (h == st.tasks.end()) {
        conv->failed.push_back(id);
        continue;
      }
      ++conv->pending;
      self->request(h->second, st.env.chat_timeout, msg::pause_task{st.env.epoch})
          .then(
              [self, conv, id, group = g.group](msg::offsets_msg& m) {
                auto& at = conv->paused[group];
                for (const auto& [p, o] : m.offsets)
                  if (!at.count(p) || at[p] < o) at[p] = o;
                conv->paused_tasks.push_back(id);
                if (--conv->pending == 0) after_pause(self);
              },
              [self, conv, id](caf::error&) {
                conv->failed.push_back(id);
                if (--conv->pending == 0) after_pause(self);
              });
    }
  if (conv->pending == 0) after_pause(self);
}

void begin(self_ptr self) {
  auto& st = self->state;
  auto& c = *st.backfill;
  auto p = st.rec->begin_backfill(st.now());
  if (!p) {
    if (core::is(p.error(), core::errc::unavailable) &&
        ++c.busy_attempts < max_busy_attempts) {
      self->delayed_send(self, std::chrono::milliseconds{200}, backfill_atom::value);
      return;
    }
    return finish(self, std::move(p.error()));
  }
  c.plan = std::move(*p);
  execute(self, std::move(c.plan.acts));
  c.step = backfill_conversation::step::pause;
  pause_all(self);
}

}  // namespace

caf::result<msg::backfill_reply> start_backfill(self_ptr self,
                                                msg::reset_and_backfill& m) {
  auto& st = self->state;
  auto rp = self->make_response_promise<msg::backfill_reply>();
  if (st.backfill) {
    rp.deliver(core::make_error(core::errc::conflict,
                                "A reset and backfill of supervisor[" + st.spec().id +
                                    "] is already in progress"));
    return rp;
  }
  st.backfill = std::make_shared<backfill_conversation>();
  st.backfill->request = std::move(m);
  st.backfill->rp = rp;
  begin(self);
  return rp;
}

void backfill_step(self_ptr self) {
  auto& st = self->state;
  if (!st.backfill) return;
  switch (st.backfill->step) {
    case backfill_conversation::step::begin:
      return begin(self);
    case backfill_conversation::step::persist:
      return persist(self);
    case backfill_conversation::step::pause:
      return;
  }
}

}  // namespace sv::actors::supervisor
