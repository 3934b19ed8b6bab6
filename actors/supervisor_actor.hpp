#pragma once
// supervisor_actor — one per supervisor spec id.
//
// Role: keeps the supervisor's tasks reading every partition of its stream
//   (the reconcile loop arrives with the task runtime); reports state and
//   status in Druid's shapes.
// Lifecycle: spawned and monitored by the manager when a spec is created or
//   loaded at start-up; lives across spec updates, suspend and resume (it
//   receives spec_updated); quits after stop_supervisor.
// Messages in: get_supervisor_status, spec_updated, stop_supervisor.
// Messages out: supervisor_state_changed to its listener (the manager)
//   whenever its summary changes.
// Failure behaviour: it holds no resources; if it dies the manager spawns it
//   again from the stored spec.

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "messages/supervisor_messages.hpp"

namespace sv::actors {

using supervisor_actor = caf::typed_actor<
    caf::replies_to<msg::get_supervisor_status>::with<msg::supervisor_report>,
    caf::reacts_to<msg::spec_updated>,
    caf::replies_to<msg::stop_supervisor>::with<msg::ack>>;

/// The part of the manager's interface a supervisor talks to.
using supervisor_listener =
    caf::typed_actor<caf::reacts_to<msg::supervisor_state_changed>>;

/// Spawns a supervisor for `spec`, reporting to `listener`.
supervisor_actor spawn_supervisor(caf::actor_system& sys, core::supervisor_spec spec,
                                  supervisor_listener listener);

}  // namespace sv::actors
