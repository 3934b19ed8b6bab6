#pragma once
// lockbox_actor — the time-chunk locks (Druid's TaskLockbox).
//
// Role: grants EXCLUSIVE / SHARED / APPEND / REPLACE locks on datasource
//   intervals per lock group (core::locks::lock_table decides); a request that
//   conflicts with another group's lock waits, oldest first.
// Lifecycle: one per node that runs supervisors, spawned with the manager;
//   lives as long as the node. On a single node it always grants. A cluster
//   overlord's lockbox grants only while its node leads (it follows the
//   cluster views): it keeps every grant in the metadata store before
//   answering, and a new leader's lockbox starts from what was kept, so
//   the locks of tasks running on workers survive a failover. Tasks ask
//   the leader's lockbox from any worker (the lockbox handle travels with
//   run_task and adopt_tasks).
// Messages in: lock_acquire (replies lock_reply: granted, or waiting behind
//   the named groups), get_locks (replies the table as JSON), cluster_view.
// Messages out: lock_granted to a task whose waiting request was granted;
//   md_persist_lock / md_drop_locks / md_list_locks to the metadata actor.
// Failure behaviour: a task's locks and waiting requests go when the task
//   actor goes (it is monitored from its first request; a remote task also
//   goes when its worker's connection does), so a crashed or killed task
//   never leaves a lock behind. A lock restored by a new leader belongs to
//   its task once the task asks for it again (adoption makes every task do
//   so); one no task claims within `claim_timeout` is released. A lockbox
//   that does not lead refuses requests (errc::unavailable; tasks ask again).
//   A grant the store refuses is answered with the store's error (the task
//   asks again). An unknown lock type is an invalid_input error.

#include <chrono>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/metadata_actor.hpp"
#include "core/json.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/core_inspect.hpp"
#include "messages/lock_messages.hpp"

namespace sv::actors {

/// What the lockbox needs of a task.
using lock_client = caf::typed_actor<caf::reacts_to<msg::lock_granted>>;

using claim_atom = caf::atom_constant<caf::atom("claim")>;
using restore_atom = caf::atom_constant<caf::atom("restore")>;

using lockbox_actor = caf::typed_actor<
    caf::replies_to<msg::lock_acquire>::with<msg::lock_reply>,
    caf::replies_to<msg::get_locks>::with<core::json>, caf::reacts_to<msg::cluster_view>,
    caf::reacts_to<claim_atom, uint64_t>, caf::reacts_to<restore_atom, uint64_t>>;

struct lockbox_config {
  /// Keeps grants and restores them on a new leader; null: in memory only
  /// (a single node, whose tasks stop with it).
  metadata_actor metadata;
  /// A cluster overlord's lockbox starts idle and leads with its node.
  bool leading = true;
  /// How long a restored lock waits for its task to ask for it again.
  std::chrono::milliseconds claim_timeout{30000};
  /// Between attempts to read the kept locks.
  std::chrono::milliseconds retry_interval{1000};
};

lockbox_actor spawn_lockbox(caf::actor_system& sys, lockbox_config cfg = {});

}  // namespace sv::actors
