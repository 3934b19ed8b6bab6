#pragma once
// The supervisor's brain (Druid's SeekableStreamSupervisor, minus the I/O):
// what it knows about the stream, its offsets row and its task groups, and
// what to do next. The supervisor actor feeds it observations and events and
// executes the actions it returns; every decision is here, unit-tested.
//
// A run (run()) is Druid's: partitions (repartition handling), task duration
// (roll over: pause, max offsets, end offsets; the next group starts there at
// once; stopTaskCount), publishing groups (success, failure,
// completionTimeout), failed tasks, and creating missing groups and replicas
// from the next start offsets, else the committed row, else earliest/latest.
// Bounded supervisors (boundedStreamConfig) read a fixed range and complete.

#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/offsets.hpp"
#include "core/spec/supervisor_spec.hpp"
#include "core/status_report.hpp"
#include "core/supervisor/lag_history.hpp"
#include "core/supervisor/state_manager.hpp"
#include "core/task/task_spec.hpp"

namespace sv::core::supervisor {

// -- actions ------------------------------------------------------------------

/// Start a task (the task runner may queue it).
struct create_task {
  task::task_spec spec;
};
/// Pause the group's tasks, take the maximum offset per partition, set it as
/// end offsets (finish: publish and exit; else: checkpoint and read on), then
/// report back with rolled_over().
struct roll_over {
  int32_t group = 0;
  int32_t generation = 0;
  std::vector<std::string> tasks;
  bool finish = true;
  std::optional<offset_map> commit_as;
};
/// Reset to latest and backfill: the group's (paused) tasks read up to `end`,
/// publish, and move the row to `commit_as` (set_end_offsets, finish).
struct seal_group {
  int32_t group = 0;
  std::vector<std::string> tasks;
  offset_map end;
  offset_map commit_as;
};
/// Stop a task at once, publishing nothing.
struct kill_task {
  std::string task_id;
  std::string reason;
};
/// Edit the offsets row atomically in the store: (row - drop) + set
/// (resetOffsets; the automatic reset of unavailable offsets), and
/// `if_absent` for partitions the row has no offset for (where a supervisor
/// that starts at the latest offsets started: its replacement groups start
/// there too, not at a later latest).
struct edit_offsets {
  offset_map set;
  std::vector<partition_id> drop;
  offset_map if_absent = {};
};
/// Delete the offsets row (hard reset).
struct delete_offsets {};

using action = std::variant<create_task, roll_over, kill_task, edit_offsets,
                            delete_offsets, seal_group>;

using actions = std::vector<action>;

// -- state ------------------------------------------------------------------

enum class task_phase : uint8_t { pending, running, succeeded, failed };

struct task_slot {
  std::string id;
  task_phase phase = task_phase::pending;
  std::optional<utc_time> start_time;
  offset_map current;
};

struct task_group {
  int32_t id = 0;
  int32_t generation = 0;
  offset_map start;
  std::optional<offset_map> end;
  std::optional<offset_map> commit_as;
  std::map<std::string, task_slot> tasks;
  std::string base_sequence_name;
  std::optional<utc_time> min_message_time;
  std::optional<utc_time> max_message_time;
  std::optional<utc_time> completion_deadline;  ///< publishing groups
  std::vector<offset_map> checkpoints;          ///< sequence starts
  bool handoff_early = false;
  bool rolling = false;  ///< a roll_over conversation is in flight
  bool doomed = false;   ///< a predecessor timed out: stop when possible

  /// Earliest start of a running task.
  std::optional<utc_time> started() const;
  std::vector<std::string> task_ids() const;
};

/// Reset to latest and backfill, first step: the groups to pause, and where
/// the partitions no reading task holds end (their next start or the row).
struct backfill_plan {
  struct pause {
    int32_t group = 0;
    int32_t generation = 0;
    std::vector<std::string> tasks;
  };
  std::vector<pause> groups;
  offset_map unread;
  actions acts;  ///< kills of tasks that never started
};

/// P (where the main supervisor's data ends) and L (the stream's latest, at
/// least P) per partition.
struct backfill_offsets {
  offset_map start;  ///< P
  offset_map end;    ///< L
  /// The partitions with P < L: what the backfill reads and the row jumps over.
  offset_jump jump() const;
};

/// A task found running when a supervisor starts (a former leader's), as it
/// describes itself: its spec, its sequence starts (checkpoints), its end
/// when one is set (it publishes), and when it started.
struct discovered_task {
  task::task_spec spec;
  std::vector<offset_map> sequence_starts;
  std::optional<offset_map> end;
  std::optional<utc_time> start_time;
};

/// What adopt() kept: task ids of reading groups (to resume: the former
/// leader may have paused them) and of publishing groups; the kills of the
/// tasks it could not keep.
struct adoption {
  std::vector<std::string> reading;
  std::vector<std::string> publishing;
  actions acts;
};

struct reconciler_config {
  state_thresholds thresholds;
  /// The node's seed for the random part of task and backfill ids (random
  /// per process; fixed in tests).
  uint64_t seed = 1;
  /// Which incarnation of a supervisor this is in the process (the actor
  /// counts them). Ids are drawn from seed, spec id and incarnation, so no
  /// two supervisors, nor two incarnations of one id, draw the same ids.
  uint64_t incarnation = 0;
  /// Node defaults for idleConfig (druid.supervisor.idleConfig.*).
  bool idle_enabled_default = false;
  int64_t idle_after_ms_default = 600000;
};

class reconciler {
 public:
  reconciler(supervisor_spec spec, reconciler_config cfg, utc_time now);

  // -- observations ----------------------------------------------------------
  /// The stream's partitions with their earliest and latest offsets.
  void observe_stream(std::vector<partition_id> partitions, offset_map earliest,
                      offset_map latest, utc_time at);
  /// Reading the stream's metadata failed (counts against the run).
  void observe_stream_error(const std::string& message, utc_time at);
  /// Latest offsets only (lag refresh).
  void observe_latest(offset_map latest, utc_time at);
  /// Milliseconds behind the newest record per partition (Kinesis), for the
  /// positions of highest_ingested() when the probe was asked.
  void observe_time_lag(offset_map millis) {
    time_lag_ = std::move(millis);
    if (latest_at_) record_lag(*latest_at_);
  }
  /// The aggregate lag after each offset refresh (lag_history.hpp).
  const lag_history& history() const { return history_; }
  /// Each partition's parents (Kinesis shards made by a split or a merge): a
  /// child is read only once its parents are read to their end, so records of
  /// one key stay in order across the split or merge.
  void observe_parents(std::map<partition_id, std::vector<partition_id>> parents) {
    parents_ = std::move(parents);
  }
  /// The committed offsets row as read before a run.
  void observe_committed(std::optional<committed_offsets> row);
  /// The row could not be read: the run creates no task (it would not know
  /// where to start) and counts as failed.
  void observe_committed_error(const std::string& message, utc_time at);

  /// An error to show in the status (store unavailable, ...).
  void observe_error(const std::string& exception_class, const std::string& message,
                     utc_time at);
  /// A task of this supervisor retries something that failed (building or
  /// publishing its segments): shown in recentErrors, the run not failed.
  void observe_task_problem(const std::string& task_id, const std::string& message,
                            utc_time at);

  // -- task events -------------------------------------------------------------
  void task_started(const std::string& id, utc_time at);
  void task_offsets(const std::string& id, offset_map current);
  actions task_finished(const std::string& id, bool success, const std::string& error,
                        utc_time now);
  /// The end of a roll_over: the end offsets, or nullopt when no task answered.
  actions rolled_over(int32_t group, int32_t generation, bool finish,
                      const std::optional<offset_map>& end, utc_time now);
  /// A task asks for a checkpoint of its group (intermediate handoff).
  actions checkpoint_requested(const std::string& task_id, int32_t group,
                               const offset_map& sequence_start, utc_time now);

  /// Failover (adopt.cpp): takes over running tasks of this supervisor when
  /// they match the spec (same dataSchema, ioConfig and tuningConfig), their
  /// group still owns their partitions, and the committed row (observed
  /// first) is at one of their sequence starts or their end — Druid's
  /// discoverTasks. Replicas of a group must agree (base sequence name and
  /// start); the others are killed. Call before the first run.
  adoption adopt(const std::vector<discovered_task>& found, utc_time now);

  // -- notices -------------------------------------------------------------------
  /// Hard reset: forget offsets, kill reading groups (caller deletes the row).
  actions reset(utc_time now);
  /// resetOffsets: merge `given` into the row, restart the groups of its partitions.
  actions reset_offsets(const offset_map& given, utc_time now);
  /// taskGroups/handoff: these groups roll over at the next run.
  void handoff(const std::vector<int32_t>& groups);
  /// A new spec: reading groups roll over (publish); new groups use the new spec.
  void update_spec(supervisor_spec spec, utc_time now);
  /// Terminate: roll over everything and create nothing more.
  void set_stopping();

  // -- reset to latest and backfill (backfill.cpp) ---------------------------------
  /// Validates (Druid's rules and messages) and starts: every reading group is
  /// held for the conversation; groups whose tasks never started are dropped.
  /// unavailable when a roll-over is in flight (try again shortly).
  caf::expected<backfill_plan> begin_backfill(utc_time now);
  /// P and L from the paused groups' positions (max over replicas) and the
  /// stream's latest offsets.
  backfill_offsets backfill_range(const std::map<int32_t, offset_map>& paused,
                                  const offset_map& latest) const;
  /// The jump is persisted: paused groups publish [start, P) and move the row
  /// to L; partitions no group held get an offsets-only jump task; new groups
  /// start at L.
  actions seal_backfill(const std::map<int32_t, offset_map>& paused,
                        const backfill_offsets& range, utc_time now);
  /// The conversation failed: the held groups read on (the caller resumes them).
  void abort_backfill();
  bool backfill_in_progress() const { return backfill_.has_value(); }
  /// {id}_backfill_{8 random letters}.
  std::string next_backfill_id();
  /// Bounded ranges lost to the stream's retention (partition -> [from, to)),
  /// all of them, and those not yet taken (for the audit trail).
  const std::map<partition_id, std::pair<stream_offset, stream_offset>, partition_less>&
  losses() const {
    return losses_;
  }
  std::map<partition_id, std::pair<stream_offset, stream_offset>, partition_less>
  take_new_losses();

  // -- the run -------------------------------------------------------------------
  actions run(utc_time now);

  // -- queries -------------------------------------------------------------------
  supervisor_status status(utc_time now) const;
  /// Per partition: the furthest offset read (tasks), else the next start,
  /// else the committed row.
  offset_map highest_ingested() const;
  /// The lag the supervisor reports, idles and scales on: latest - highest
  /// ingested per partition, in records; for streams whose offsets do not
  /// count records (Kinesis) milliseconds behind the newest record. nullopt
  /// until known.
  std::optional<offset_map> lag() const;
  /// True when some partition's ingested offset is below its lag target.
  bool behind() const;
  /// Per partition, what lag counts to: the stream's latest offset, or for a
  /// bounded supervisor the end of its range (when lower).
  offset_map lag_targets() const;

  detailed_state state() const { return states_.state(); }
  /// Partitions of the stream as last observed.
  int32_t partition_count() const { return static_cast<int32_t>(partitions_.size()); }

  const supervisor_spec& spec() const { return spec_; }
  /// Whether an older group of this supervisor still publishes these partitions.
  bool predecessor_publishing(int32_t group,
                              const std::vector<partition_id>& partitions) const;
  /// Stopping, and no group reads or rolls any more.
  bool stopped() const;
  const std::map<int32_t, task_group>& reading() const { return reading_; }
  const std::map<int32_t, std::vector<task_group>>& publishing() const {
    return publishing_;
  }
  /// The group of a task of a reading or publishing group.
  std::optional<int32_t> group_of_task(const std::string& id) const;
  /// Whether a reading or publishing group has this task.

  bool knows_task(const std::string& id) const;
  /// Task ids of every reading and publishing group.

  std::vector<std::string> task_ids() const;
  /// Current task count (taskCount, or the autoscaler's).
  int32_t task_count() const;

 private:
  // backfill.cpp
  void seal_from_row(actions& out, utc_time now);
  task_group sealed_group(int32_t gid, offset_map start,
                          std::vector<offset_map> checkpoints, offset_map end,
                          offset_map commit_as, utc_time now);

  // run steps (run.cpp)
  bool check_completed(utc_time now);
  void update_partitions(utc_time now);
  void check_duration(actions& out, utc_time now);
  void check_publishing(actions& out, utc_time now);
  void check_reading(actions& out, utc_time now);
  void check_idle(utc_time now);
  void create_groups(actions& out, utc_time now);
  std::optional<offset_map> start_offsets(const std::vector<partition_id>& ps,
                                          actions& out, utc_time now);
  task::task_spec make_task(const task_group& g);
  /// A reading group goes away having committed nothing it read.
  void forget_group(const task_group& g);
  void note_loss(const partition_id& p, stream_offset from, stream_offset to,
                 utc_time now);

  task_group* find_reading(int32_t group, int32_t generation);
  void fail_publishing_group(int32_t group, size_t index, actions& out,
                             const std::string& why, utc_time now);
  std::string random_suffix();
  bool bounded() const { return bounded_.has_value(); }

  supervisor_spec spec_;
  reconciler_config cfg_;
  state_manager states_;
  std::mt19937_64 rng_;
  int32_t next_generation_ = 0;

  std::vector<partition_id> partitions_;
  std::set<partition_id, partition_less> initial_partitions_;  ///< first discovery

  bool partitions_known_ = false;
  offset_map earliest_;
  offset_map latest_;
  std::optional<utc_time> latest_at_;
  std::optional<offset_map> time_lag_;
  lag_history history_;
  void record_lag(utc_time at);
  std::map<partition_id, std::vector<partition_id>> parents_;
  /// A parent of `p` is still to be read to its end.
  bool waits_for_parent(const partition_id& p) const;
  std::optional<committed_offsets> committed_;
  bool committed_known_ = false;
  std::optional<bounded_range> bounded_;

  std::map<int32_t, task_group> reading_;
  std::map<int32_t, std::vector<task_group>> publishing_;
  std::map<partition_id, stream_offset, partition_less>
      next_offsets_;                    ///< partitionOffsets
  std::optional<utc_time> early_stop_;  ///< repartition / graceful stop
  bool stopping_ = false;
  // The groups held by a reset-to-latest-and-backfill conversation.
  struct held_group {
    int32_t generation = 0;
    offset_map start;
    std::vector<offset_map> checkpoints;
  };
  std::optional<std::map<int32_t, held_group>> backfill_;
  std::map<partition_id, std::pair<stream_offset, stream_offset>, partition_less> losses_;
  std::map<partition_id, std::pair<stream_offset, stream_offset>, partition_less>
      new_losses_;
  bool run_error_ = false;

  // idle
  std::optional<offset_map> idle_latest_;
  std::optional<utc_time> active_since_;
};

}  // namespace sv::core::supervisor
