// Failover (DESIGN.md §8): a new leader's supervisor takes over the running
// tasks of its id before its first run. The runner hands them over (they
// report here from now on, with the leader's epoch); each says where its
// sequences start and whether its end is set; the reconciler keeps those that
// match the spec and the committed row (core::supervisor::reconciler::adopt)
// and stops the rest; kept reading tasks are resumed (the former leader may
// have paused them for a roll-over it did not finish).

#include <algorithm>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/supervisor/supervisor_state.hpp"
#include "core/errc.hpp"

namespace sv::actors::supervisor {

namespace {

struct discovery {
  std::vector<msg::adopted_task> handed;
  std::vector<core::supervisor::discovered_task> found;
  size_t left = 0;
};

void finish(self_ptr self) {
  auto& st = self->state;
  st.run_active = false;
  st.run_again = false;
  st.run_again_now = false;
  request_run(self);
  after_change(self);
}

void decide(self_ptr self, std::shared_ptr<discovery> d) {
  auto& st = self->state;
  self->request(st.env.metadata, st.env.store_timeout, msg::md_get_offsets{st.spec().id})
      .then(
          [self, d](msg::offsets_reply& row) {
            auto& st = self->state;
            st.rec->observe_committed(std::move(row.offsets));
            auto kept = st.rec->adopt(d->found, st.now());
            // Tasks that did not describe themselves stop too.
            for (const auto& t : d->handed)
              if (!st.rec->knows_task(t.spec.id) &&
                  std::none_of(kept.acts.begin(), kept.acts.end(), [&](const auto& a) {
                    auto* k = std::get_if<core::supervisor::kill_task>(&a);
                    return k && k->task_id == t.spec.id;
                  }))
                kept.acts.push_back(core::supervisor::kill_task{
                    t.spec.id, "not adopted: it did not answer"});
            for (const auto& t : d->handed) {
              bool reading =
                  std::count(kept.reading.begin(), kept.reading.end(), t.spec.id) > 0;
              bool publishing = std::count(kept.publishing.begin(), kept.publishing.end(),
                                           t.spec.id) > 0;
              if (!reading && !publishing) continue;
              auto handle = caf::actor_cast<task_actor>(t.task);
              st.tasks[t.spec.id] = handle;
              if (reading)
                self->request(handle, st.env.chat_timeout, msg::resume_task{st.env.epoch})
                    .then([](msg::ack&) {}, [](caf::error&) {});
            }
            spdlog::info(
                "supervisor [{}]: adopted {} reading and {} publishing tasks at leader "
                "epoch {}; stopping {}",
                st.spec().id, kept.reading.size(), kept.publishing.size(), st.env.epoch,
                kept.acts.size());
            execute(self, std::move(kept.acts));
            finish(self);
            // The status shows where the adopted tasks are at once, not at
            // the next lag refresh.
            if (!kept.reading.empty() || !kept.publishing.empty()) refresh_lag(self);
          },
          [self](caf::error& err) {
            // Without the row nothing can be checked: the run starts the
            // groups again and the leftovers are stopped as unknown tasks.
            spdlog::warn(
                "supervisor [{}]: cannot read the offsets row to adopt tasks: {}",
                self->state.spec().id, core::error_message(err));
            finish(self);
          });
}

void describe(self_ptr self, std::shared_ptr<discovery> d) {
  auto& st = self->state;
  d->left = d->handed.size() * 2;
  d->found.resize(d->handed.size());
  if (d->left == 0) return decide(self, d);
  auto done = [self, d] {
    if (--d->left == 0) decide(self, d);
  };
  for (size_t i = 0; i < d->handed.size(); ++i) {
    const auto& t = d->handed[i];
    d->found[i].spec = t.spec;
    if (auto at = core::parse_utc_time(t.start_time)) d->found[i].start_time = *at;
    auto handle = caf::actor_cast<task_actor>(t.task);
    self->request(handle, st.env.chat_timeout, msg::get_checkpoints{})
        .then(
            [d, i, done](msg::checkpoints_msg& c) {
              for (auto& [_, start] : c.checkpoints)
                d->found[i].sequence_starts.push_back(std::move(start));
              done();
            },
            [d, i, done](caf::error&) {
              d->found[i].spec.supervisor_id.clear();  // silent: not adopted
              done();
            });
    self->request(handle, st.env.chat_timeout, msg::get_end_offsets{})
        .then(
            [d, i, done](msg::offsets_msg& e) {
              if (!e.offsets.empty()) d->found[i].end = std::move(e.offsets);
              done();
            },
            [d, i, done](caf::error&) {
              d->found[i].spec.supervisor_id.clear();
              done();
            });
  }
}

}  // namespace

void discover_tasks(self_ptr self) {
  auto& st = self->state;
  st.run_active = true;  // no run before the running tasks are known
  self->request(
          st.env.runner, st.env.chat_timeout,
          msg::adopt_tasks{st.spec().id, caf::actor_cast<caf::strong_actor_ptr>(self),
                           st.env.epoch, nullptr})
      .then(
          [self](msg::adopted_tasks& handed) {
            auto d = std::make_shared<discovery>();
            d->handed = std::move(handed.tasks);
            describe(self, d);
          },
          [self](caf::error& err) {
            spdlog::warn("supervisor [{}]: cannot list running tasks to adopt: {}",
                         self->state.spec().id, core::error_message(err));
            finish(self);
          });
}

}  // namespace sv::actors::supervisor
