#pragma once
// manager_actor — the supervisor manager (Druid's SupervisorManager).
//
// Role: owns id -> supervisor; creates, updates, suspends, resumes and
//   terminates supervisors; answers list, spec, history and status requests.
//   Every spec change is persisted (append-only history) before it is applied
//   and recorded in the audit table.
// Lifecycle: spawned once by the node after the metadata actor. At start it
//   loads the latest non-tombstoned spec of every id (blocking its mailbox
//   until loaded; retrying while the store is unavailable, answering API
//   requests with errc::unavailable meanwhile) and spawns their supervisors.
// Leadership: on a cluster's overlord the manager runs supervisors only while
//   its node leads (cluster_view from the cluster actor): it loads the specs
//   when the node starts leading and drops every supervisor, without touching
//   their tasks, when it stops; meanwhile requests get errc::unavailable.
// Messages in: the manager API (messages/manager_messages.hpp),
//   supervisor_state_changed from its supervisors, and
//   create_backfill_supervisor from a reset-and-backfill: the backfill's id is
//   reserved while its transaction (spec, the source row's jump, audit) runs,
//   and the backfill supervisor is started before the reply; a taken id is
//   refused (errc::conflict) with nothing written. Status, reset,
//   resetOffsets, handoff, stats and parse errors are delegated to the
//   supervisor of the id.
// Messages out: md_* requests to the metadata actor; spec_updated and
//   stop_supervisor to supervisors.
// Shutdown: shutdown_supervisors (a graceful node stop) stops every
//   supervisor as terminate does, without a tombstone, and replies once all
//   have quit (their reading groups published); supervisors are no longer
//   restarted and changes are refused from then on.
// Failure behaviour: store errors are returned to the caller and nothing is
//   applied; a supervisor that dies unexpectedly is spawned again from its
//   spec.

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/metadata_actor.hpp"
#include "actors/supervisor_actor.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/manager_messages.hpp"

namespace sv::actors {

using reload_atom = caf::atom_constant<caf::atom("reload")>;

using manager_actor = caf::typed_actor<
    caf::replies_to<msg::create_supervisor>::with<msg::create_supervisor_reply>,
    caf::replies_to<msg::list_supervisors>::with<msg::supervisor_list>,
    caf::replies_to<msg::get_supervisor_spec>::with<core::json>,
    caf::replies_to<msg::get_supervisor_status>::with<msg::supervisor_report>,
    caf::replies_to<msg::set_suspended>::with<core::json>,
    caf::replies_to<msg::set_all_suspended>::with<msg::ack>,
    caf::replies_to<msg::terminate_supervisor>::with<msg::ack>,
    caf::replies_to<msg::terminate_all>::with<msg::ack>,
    caf::replies_to<msg::shutdown_supervisors>::with<msg::ack>,
    caf::replies_to<msg::get_history>::with<msg::spec_history>,
    caf::replies_to<msg::reset_supervisor>::with<msg::ack>,
    caf::replies_to<msg::reset_supervisor_offsets>::with<msg::ack>,
    caf::replies_to<msg::handoff_task_groups>::with<msg::ack>,
    caf::replies_to<msg::get_supervisor_stats>::with<core::json>,
    caf::replies_to<msg::get_parse_errors>::with<core::json>,
    caf::replies_to<msg::reset_and_backfill>::with<msg::backfill_reply>,
    caf::replies_to<msg::create_backfill_supervisor>::with<msg::ack>,
    caf::replies_to<msg::scale_supervisor>::with<msg::ack>,

    caf::reacts_to<msg::supervisor_state_changed>, caf::reacts_to<reload_atom>,
    caf::reacts_to<msg::cluster_view>>;

/// `env` is what every supervisor gets (metadata actor, task runner, ...).
/// `leading` false: a cluster node that runs no supervisor until a
/// cluster_view says it leads.
manager_actor spawn_manager(caf::actor_system& sys, metadata_actor metadata,
                            supervisor_env env, bool leading = true);

}  // namespace sv::actors
