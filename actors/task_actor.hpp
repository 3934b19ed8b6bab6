#pragma once
// task_actor — one indexing task (Druid's SeekableStreamIndexTaskRunner).
//
// Role: reads its partitions from the start offsets, turns records into rolled
//   up rows, persists at the memory limits, and publishes each completed
//   sequence (segments pushed to deep storage first, then one metadata
//   transaction that inserts them and moves the offsets row by CAS).
// Lifecycle: spawned detached (it blocks on the stream reader) by the task
//   runner, or by a test; a task whose stream has a shared client on the node
//   (reads_shared) is a scheduled actor instead: its reader never blocks, the
//   client wakes it (read) when records arrive, and a timer (check, every
//   second) runs the persist and handoff checks while nothing arrives; quits after
//   publishing its final sequence, after a failure, or when killed (exit message: nothing
//   is published). On exit it writes its task row (SUCCESS/FAILED with the completion
//   report) and tells its listener (task_finished).
// Phases: NOT_STARTED -> STARTING -> READING <-> PAUSED -> PUBLISHING.
// Messages in: the chat API — status, pause (replies current offsets), resume,
//   current/end offsets, set_end_offsets (finish or checkpoint, commit-as),
//   checkpoints, stop (graceful: publish what was read), row stats, report.
//   set_listener: a new leader's supervisor adopts the task. pause, resume,
//   set_end_offsets and set_listener carry the sender's leader epoch and are
//   refused (errc::conflict, said in the task's log) when it is older than
//   the epoch that placed (task_env::epoch) or last adopted the task.
//   built (from the node's build pool): a sequence's segments are built.
// Messages out: md_publish / md_upsert_task to the metadata actor;
//   checkpoint_requested, predecessor_query, task_lock_wait, task_finished to
//   the listener; lock_acquire to the lockbox.
// Locks: before its rows of a new time chunk (segmentGranularity bucket) may
//   be published, the task holds a lock on that chunk for its lock group
//   (index_{type}_{supervisor}) of the spec's lock type; while a request
//   waits, the task stops reading and publishing and tells its listener.

// Failure behaviour: an unreachable stream is retried (reading resumes where
//   it stopped); store errors during publish are retried with backoff; a
//   publish "ahead" of the offsets row is retried while the listener says a
//   predecessor is publishing, else fails; "diverged" fails; parse errors past
//   maxParseExceptions fail the task.

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/metadata_actor.hpp"
#include "actors/task/task_env.hpp"
#include "messages/runner_messages.hpp"

namespace sv::actors {

using read_atom = caf::atom_constant<caf::atom("read")>;
using persist_atom = caf::atom_constant<caf::atom("persist")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using build_atom = caf::atom_constant<caf::atom("build")>;
using lock_atom = caf::atom_constant<caf::atom("lock")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using built_atom = caf::atom_constant<caf::atom("built")>;

using task_actor = caf::typed_actor<
    caf::replies_to<msg::get_task_status>::with<msg::task_status_reply>,
    caf::replies_to<msg::pause_task>::with<msg::offsets_msg>,
    caf::replies_to<msg::resume_task>::with<msg::ack>,
    caf::replies_to<msg::get_current_offsets>::with<msg::offsets_msg>,
    caf::replies_to<msg::get_end_offsets>::with<msg::offsets_msg>,
    caf::replies_to<msg::set_end_offsets>::with<msg::ack>,
    caf::replies_to<msg::get_checkpoints>::with<msg::checkpoints_msg>,
    caf::replies_to<msg::stop_task>::with<msg::ack>,
    caf::replies_to<msg::get_row_stats>::with<core::json>,
    caf::replies_to<msg::get_task_report>::with<core::json>,
    caf::replies_to<msg::set_listener>::with<msg::ack>, caf::reacts_to<msg::lock_granted>,
    caf::reacts_to<read_atom>, caf::reacts_to<persist_atom>, caf::reacts_to<publish_atom>,
    caf::reacts_to<build_atom>, caf::reacts_to<lock_atom, int64_t>,
    caf::reacts_to<check_atom>, caf::reacts_to<wake_atom>, caf::reacts_to<built_atom>>;

task_actor spawn_task(caf::actor_system& sys, core::task::task_spec spec, task_env env,
                      placement where = placement::detached);

}  // namespace sv::actors
