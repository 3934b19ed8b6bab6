// GET /{id}/stats and /{id}/parseErrors: gathered from the live tasks.

#include <algorithm>

#include <caf/all.hpp>

#include "actors/supervisor/supervisor_state.hpp"

namespace sv::actors::supervisor {

namespace {

// Asks every live task `req`; calls done(task id -> reply) once all answered
// (tasks that do not answer are left out).
template <class Request, class Done>
void ask_tasks(self_ptr self, Request req, Done done) {
  auto& st = self->state;
  struct gather {
    size_t pending = 0;
    std::map<std::string, core::json> replies;
    Done done;
  };
  auto g = std::make_shared<gather>(gather{st.tasks.size() + 1, {}, std::move(done)});

  auto one_done = [g] {
    if (--g->pending == 0) g->done(g->replies);
  };
  for (const auto& [id, h] : st.tasks)
    self->request(h, st.env.chat_timeout, req)
        .then(
            [g, id = id, one_done](core::json& j) {
              g->replies[id] = std::move(j);
              one_done();
            },
            [one_done](caf::error&) { one_done(); });
  one_done();
}

}  // namespace

caf::result<core::json> collect_stats(self_ptr self) {
  auto rp = self->make_response_promise<core::json>();
  ask_tasks(self, msg::get_row_stats{},
            [self, rp](const std::map<std::string, core::json>& replies) mutable {
              core::json out{core::json::object{}};
              for (const auto& [id, stats] : replies) {
                auto group = self->state.rec->group_of_task(id);
                if (!group) continue;
                auto key = std::to_string(*group);
                if (!out.find(key)) out.set(key, core::json{core::json::object{}});
                out.find(key)->set(id, stats);
              }
              rp.deliver(std::move(out));
            });
  return rp;
}

caf::result<core::json> collect_parse_errors(self_ptr self) {
  auto rp = self->make_response_promise<core::json>();
  const auto& tuning = self->state.spec().tuning;
  auto cap =
      static_cast<size_t>(std::max(0, tuning.effective_max_saved_parse_exceptions())) *
      static_cast<size_t>(std::max(1, self->state.rec->task_count()));
  bool enabled = tuning.effective_max_parse_exceptions() > 0;
  ask_tasks(self, msg::get_task_report{},
            [rp, cap, enabled](const std::map<std::string, core::json>& replies) mutable {
              core::json::array all;
              if (enabled)
                for (const auto& [_, report] : replies) {
                  const core::json* events = report.find("ingestionStatsAndErrors");
                  if (events) events = events->find("payload");
                  if (events) events = events->find("unparseableEvents");
                  if (events) events = events->find("buildSegments");
                  if (!events || !events->is_array()) continue;
                  for (const auto& e : events->as_array()) all.push_back(e);
                }
              // Most recent first.
              auto when = [](const core::json& e) {
                const core::json* t = e.find("timeOfExceptionMillis");
                return t && t->is_int() ? t->as_int() : 0;
              };
              std::stable_sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
                return when(a) > when(b);
              });
              if (all.size() > cap) all.resize(cap);
              rp.deliver(core::json{std::move(all)});
            });
  return rp;
}

}  // namespace sv::actors::supervisor
