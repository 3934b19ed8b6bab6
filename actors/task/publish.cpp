// Building and publishing a task's sequences: segments pushed first, then one
// metadata transaction (segments + offsets CAS); retried while the store is
// unavailable or an older group of the supervisor still publishes.

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/task/task_state.hpp"
#include "core/errc.hpp"

namespace sv::actors::task {

namespace {

// A sequence's segments are built and pushed (or the build failed): publish
// them, or try again later.
void on_built(self_ptr self, int32_t idx,
              caf::expected<std::vector<core::segment_record>> segments) {
  auto& st = self->state;
  if (st.finished) return;
  if (!segments) {
    // A full or failing disk passes; the rows are still here. Try again
    // with backoff (the supervisor's completionTimeout bounds the wait).
    auto delay =
        std::chrono::milliseconds{std::min(5000, 200 << std::min(st.build_attempts, 5))};
    ++st.build_attempts;
    st.build_retry_at = std::chrono::steady_clock::now() + delay;
    note(self, severity::warn,
         "building segments failed, retrying in " + std::to_string(delay.count()) +
             " ms: " + core::error_message(segments.error()));
    report_problem(self, "building segments failed, retrying: " +
                             core::error_message(segments.error()));
    self->delayed_send(self, delay, build_atom::value);
    return;
  }
  st.build_attempts = 0;
  st.last_problem.clear();
  const auto& s = st.seqs->all()[static_cast<size_t>(idx)];
  core::publish_request req;
  req.supervisor_id = st.spec.supervisor_id;
  req.type = st.spec.spec.type;
  req.stream = st.spec.spec.stream();
  req.segments = std::move(*segments);
  req.start = s.start;
  req.end = *s.end;
  req.commit_as = s.commit_as ? *s.commit_as : *s.end;
  req.bounded = st.spec.bounded;
  st.publishing = idx;
  st.request = std::move(req);
  st.publish_attempts = 0;
  send_publish(self);
}

}  // namespace

void maybe_publish(self_ptr self) {
  auto& st = self->state;
  if (st.publishing >= 0 || st.building >= 0 || st.finished || !st.locks_pending.empty())
    return;

  auto ready = st.seqs->ready();
  if (ready.empty()) return;
  if (std::chrono::steady_clock::now() < st.build_retry_at) return;
  auto idx = ready.front();
  const auto& s = st.seqs->all()[static_cast<size_t>(idx)];
  if (s.is_final) st.ph = phase::publishing;
  if (!st.env.builder) return on_built(self, idx, st.pipe->build(idx));
  // On the node's build pool: the scheduler's threads stay free meanwhile.
  st.building = idx;
  auto err = st.pipe->start_build(
      idx, *st.env.builder, [weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl())] {
        if (auto strong = weak.lock())
          caf::anon_send(caf::actor_cast<caf::actor>(strong), built_atom::value);
      });
  if (err) {
    st.building = -1;
    on_built(self, idx, std::move(err));
  }
}

void on_build_done(self_ptr self) {
  auto& st = self->state;
  if (st.building < 0) return;
  auto idx = std::exchange(st.building, -1);
  on_built(self, idx, st.pipe->finish_build());
}

namespace {

void on_published(self_ptr self, core::publish_result& r) {
  auto& st = self->state;
  auto idx = st.publishing;
  st.publishing = -1;
  auto row = st.request ? st.request->commit_as : core::offset_map{};
  st.request.reset();
  st.seqs->mark_published(idx);
  st.pipe->drop(idx);
  note(self, severity::info,
       "published " + std::to_string(r.segments.size()) +
           " segments, offsets committed up to " + core::to_json(row).dump());
  for (auto& s : r.segments) st.published.push_back(std::move(s));
  if (st.seqs->done()) return finish(self, true, "");
  maybe_publish(self);
  schedule_read(self);
}

// The row already sits exactly where this sequence would move it: a replica
// (same group, same range, same rows) committed it first.
bool published_by_replica(const core::publish_request& req,
                          const core::publish_result& r) {
  if (!r.stored || req.commit_as.empty()) return false;
  for (const auto& [p, o] : req.commit_as) {
    auto s = r.stored->offsets.find(p);
    if (s == r.stored->offsets.end() || s->second != o) return false;
  }
  return true;
}

void retry_publish_later(self_ptr self) {
  auto& st = self->state;
  auto delay =
      std::chrono::milliseconds{std::min(5000, 200 << std::min(st.publish_attempts, 5))};
  ++st.publish_attempts;
  self->delayed_send(self, delay, publish_atom::value);
}

}  // namespace

void send_publish(self_ptr self) {
  auto& st = self->state;
  self->request(st.env.metadata, store_timeout, msg::md_publish{*st.request})
      .then(
          [self](core::publish_result& r) {
            auto& st = self->state;
            switch (r.outcome) {
              case core::publish_outcome::committed:
                return on_published(self, r);
              case core::publish_outcome::diverged:
                if (published_by_replica(*st.request, r)) {
                  note(self, severity::info,
                       "a replica already published offsets " +
                           core::to_json(st.request->commit_as).dump());
                  r.segments.clear();
                  return on_published(self, r);
                }
                return finish(
                    self, false,
                    "Stored metadata state " +
                        (r.stored ? core::to_json(r.stored->offsets).dump() : "{}") +
                        " has already been updated by other tasks and has diverged from "
                        "the "
                        "expected start metadata state " +
                        core::to_json(st.request->start).dump());
              case core::publish_outcome::ahead:
                break;
            }
            auto why = "new start metadata state " +
                       core::to_json(st.request->start).dump() +
                       " is ahead of the last committed end state " +
                       (r.stored ? core::to_json(r.stored->offsets).dump() : "{}");
            if (!st.env.listener)
              return finish(self, false, why + " and no task is publishing before it");
            std::vector<core::partition_id> parts;
            for (const auto& [p, _] : st.request->start) parts.push_back(p);
            self->request(st.env.listener, store_timeout,
                          msg::predecessor_query{st.spec.id, st.spec.group_id,
                                                 std::move(parts)})
                .then(
                    [self, why](bool predecessor) {
                      if (predecessor) return retry_publish_later(self);
                      finish(self, false, why + " and no task is publishing before it");
                    },
                    [self](caf::error&) { retry_publish_later(self); });
          },
          [self](caf::error& err) {
            note(self, severity::warn,
                 "publish failed, retrying: " + core::error_message(err));
            report_problem(self, "publish failed, retrying: " + core::error_message(err));
            retry_publish_later(self);
          });
}

}  // namespace sv::actors::task
