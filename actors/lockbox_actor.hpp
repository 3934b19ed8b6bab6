#pragma once
// lockbox_actor — the node's time-chunk locks (Druid's TaskLockbox).
//
// Role: grants EXCLUSIVE / SHARED / APPEND / REPLACE locks on datasource
//   intervals per lock group (core::locks::lock_table decides); a request that
//   conflicts with another group's lock waits, oldest first.
// Lifecycle: one per node, spawned with the manager; lives as long as the node.
// Messages in: lock_acquire (replies lock_reply at once: granted, or waiting
//   behind the named groups), get_locks (replies the table as JSON).
// Messages out: lock_granted to a task whose waiting request was granted.
// Failure behaviour: a task's locks and waiting requests go when the task
//   actor goes (it is monitored from its first request), so a crashed or
//   killed task never leaves a lock behind. An unknown lock type is an
//   invalid_input error. Locks live in memory only: after a restart tasks
//   re-acquire them as they read.

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "core/json.hpp"
#include "messages/core_inspect.hpp"
#include "messages/lock_messages.hpp"

namespace sv::actors {

/// What the lockbox needs of a task.
using lock_client = caf::typed_actor<caf::reacts_to<msg::lock_granted>>;

using lockbox_actor =
    caf::typed_actor<caf::replies_to<msg::lock_acquire>::with<msg::lock_reply>,
                     caf::replies_to<msg::get_locks>::with<core::json>>;

lockbox_actor spawn_lockbox(caf::actor_system& sys);

}  // namespace sv::actors
