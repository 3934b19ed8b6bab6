#pragma once
// metadata_actor — owns the metadata store connection.
//
// Role: the only actor that talks to the metadata store; every other actor
//   asks it with typed requests, so store access is serialised and blocking
//   calls stay off the shared scheduler.
// Lifecycle: spawned once by the node, detached (its own thread) in
//   production; tests may spawn it scheduled. Quits with the node.
// Messages in: md_* requests (messages/metadata_messages.hpp); md_fence from
//   the cluster actor when this node becomes leader (its leader writes check
//   the epoch from then on).
// Messages out: replies only.
// Failure behaviour: store errors are returned to the requester as values
//   (adapters::errc); store_unavailable is retryable and the next request
//   tries again (the connection reconnects itself). The actor never throws.

#include <memory>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "messages/cluster_messages.hpp"
#include "messages/lock_messages.hpp"
#include "messages/metadata_messages.hpp"

namespace sv::adapters {
class metadata_store;
}

namespace sv::actors {

using metadata_actor =
    caf::typed_actor<caf::replies_to<msg::md_append_spec>::with<core::spec_version>,
                     caf::replies_to<msg::md_latest_specs>::with<msg::spec_history>,
                     caf::replies_to<msg::md_spec_history>::with<msg::spec_history>,
                     caf::replies_to<msg::md_get_offsets>::with<msg::offsets_reply>,
                     caf::replies_to<msg::md_reset_offsets>::with<msg::ack>,
                     caf::replies_to<msg::md_edit_offsets>::with<core::committed_offsets>,
                     caf::replies_to<msg::md_begin_backfill>::with<core::spec_version>,
                     caf::replies_to<msg::md_delete_offsets>::with<bool>,

                     caf::replies_to<msg::md_publish>::with<core::publish_result>,
                     caf::replies_to<msg::md_segments>::with<msg::segment_list>,
                     caf::replies_to<msg::md_data_sources>::with<msg::data_source_list>,
                     caf::replies_to<msg::md_upsert_task>::with<msg::ack>,
                     caf::replies_to<msg::md_get_task>::with<msg::task_list>,
                     caf::replies_to<msg::md_list_tasks>::with<msg::task_list>,

                     caf::replies_to<msg::md_append_audit>::with<core::audit_record>,
                     caf::replies_to<msg::md_audit>::with<msg::audit_list>,
                     caf::replies_to<msg::md_fence>::with<msg::ack>,

                     caf::replies_to<msg::md_persist_lock>::with<msg::ack>,
                     caf::replies_to<msg::md_drop_locks>::with<msg::ack>,
                     caf::replies_to<msg::md_list_locks>::with<msg::lock_rows>>;

/// Where an actor runs: on its own thread (blocking work) or on the scheduler
/// (tests with the deterministic scheduler).
enum class placement { detached, scheduled };

/// Spawns the metadata actor owning `store`.
metadata_actor spawn_metadata_actor(caf::actor_system& sys,
                                    std::shared_ptr<adapters::metadata_store> store,
                                    placement where = placement::detached);

}  // namespace sv::actors
