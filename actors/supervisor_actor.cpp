#include "actors/supervisor_actor.hpp"

#include <caf/all.hpp>

#include "core/status_report.hpp"

namespace sv::actors {

namespace {

struct supervisor_state {
  // Not an aggregate: CAF would otherwise try to construct the state from `self`.
  supervisor_state() = default;
  core::supervisor_spec spec;
  supervisor_listener listener;
  core::detailed_state state = core::detailed_state::pending;
  static inline const char* name = "supervisor";

  core::supervisor_summary summary() const {
    return core::supervisor_summary{spec.id, spec.data_source(), spec.type, spec.stream(),
                                    state,   spec.suspended};
  }

  core::supervisor_status status() const {
    core::supervisor_status s;
    s.id = spec.id;
    s.data_source = spec.data_source();
    s.stream = spec.stream();
    s.replicas = spec.io.replicas;
    s.duration_seconds = spec.io.task_duration.to_millis().count() / 1000;
    s.suspended = spec.suspended;
    s.state = state;
    return s;
  }
};

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

// Until the reconcile loop runs, a supervisor is PENDING, or SUSPENDED.
void apply_spec(self_ptr self, core::supervisor_spec spec) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.state =
      st.spec.suspended ? core::detailed_state::suspended : core::detailed_state::pending;
  self->send(st.listener, msg::supervisor_state_changed{st.summary()});
}

supervisor_actor::behavior_type supervisor_behavior(self_ptr self,
                                                    core::supervisor_spec spec,
                                                    supervisor_listener listener) {
  self->state.listener = std::move(listener);
  apply_spec(self, std::move(spec));
  return {
      [self](msg::get_supervisor_status&) -> msg::supervisor_report {
        const auto& st = self->state;
        return msg::supervisor_report{st.spec.id, core::format_utc_time(core::utc_now()),
                                      core::to_json(st.status()), st.summary()};
      },
      [self](msg::spec_updated& m) { apply_spec(self, std::move(m.spec)); },
      [self](msg::stop_supervisor&) -> msg::ack {
        self->quit();
        return msg::ack{};
      },
  };
}

}  // namespace

supervisor_actor spawn_supervisor(caf::actor_system& sys, core::supervisor_spec spec,
                                  supervisor_listener listener) {
  return sys.spawn(supervisor_behavior, std::move(spec), std::move(listener));
}

}  // namespace sv::actors
