#pragma once
// The blocking work of one task, driven by the task actor on its own thread:
// read a batch, parse, route rows to their sequence's rollup index, persist
// indexes to part files at the memory limits, and build a complete sequence's
// segments (merge parts, split by granularity and maxRowsPerSegment, write,
// push to deep storage). Not an actor: the task actor decides when.
//
// Persists run in the background, as Druid's do: a full index is handed to a
// thread of its own (with a snapshot of the schema) and ingestion goes on in a
// fresh one. At most 1 + maxPendingPersists persists are in flight; one more
// waits for the oldest. A persist's failure is reported by the next call that
// touches parts (reap_persists, persist, build), so no row is lost silently.
//
// A complete sequence's build runs on the node's build pool when the task has
// one (start_build, then finish_build once the pool says it is done): the
// sequence's rows go to the job with a snapshot of the schema and come back
// with the result, so a failed build is tried again with every row. The job
// first waits, on the pool, for the persists still in flight (their parts
// are part of the build); a failed persist fails the build.

#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "actors/task/build_pool.hpp"
#include "actors/task/ingest_lane.hpp"
#include "actors/task/task_env.hpp"
#include "adapters/formats/input_parser.hpp"
#include "adapters/task_log.hpp"
#include "core/ingest/ingestor.hpp"
#include "core/records.hpp"
#include "core/spread.hpp"
#include "core/task/sequences.hpp"

namespace sv::actors {

class ingest_pipeline {
 public:
  ingest_pipeline(core::task::task_spec spec, task_env env);
  ~ingest_pipeline();

  /// Who to wake when records arrive for a reader that never blocks (set
  /// before open; see stream_reader::set_wakeup).
  void set_wakeup(std::function<void()> wake) { wake_ = std::move(wake); }
  /// Builds the schema and parser, opens the reader and assigns the start.
  caf::error open();
  /// True when the reader never blocks: read() returns at once, and the
  /// wakeup says when to read again.
  bool cooperative() const { return cooperative_; }

  /// Reads one batch (waiting up to pollTimeout, unless cooperative) into the
  /// routed sequences.
  /// Errors: the reader's (unreachable is retryable), or too many parse errors.
  caf::expected<size_t> read(core::task::sequences& seqs);

  /// Reads only these partitions from these offsets (drops finished ones).
  /// When it only leaves partitions out, the others at the positions routed,
  /// the reader stops reading those and keeps the rest as fetched.
  caf::error reassign(const core::offset_map& to_read);

  /// True when the in-memory rows reach maxRowsInMemory or maxBytesInMemory.
  bool over_memory_limit() const;
  /// Starts persisting every sequence's in-memory rows to a part file (waits
  /// only when 1 + maxPendingPersists persists are already in flight).
  caf::error persist_all();
  /// The error of a finished background persist, if one failed (never waits).
  caf::error reap_persists();

  /// Rows of a sequence (in memory and persisted).
  int64_t rows(int32_t seq) const;
  int64_t total_rows() const;

  /// Builds and pushes the segments of sequence `seq` (the segment records
  /// come back unallocated: the publish transaction assigns their ids).
  caf::expected<std::vector<core::segment_record>> build(int32_t seq);
  /// The same on `pool`: `done` runs on the pool's thread once the result is
  /// there; take it on the task's thread with finish_build. One at a time.
  caf::error start_build(int32_t seq, build_pool& pool, std::function<void()> done);
  /// The result of the build start_build began (waits for it if need be).
  caf::expected<std::vector<core::segment_record>> finish_build();
  /// Drops a published sequence's rows and part files.
  void drop(int32_t seq);

  /// Time chunks (segmentGranularity buckets) that received their first row
  /// since the last call, when chunk tracking is on (tasks that lock).
  std::vector<std::pair<core::utc_time, core::utc_time>> take_new_chunks() {
    return std::exchange(new_chunks_, {});
  }
  void track_chunks(bool on) { track_chunks_ = on; }
  /// The task's own log, for parse exceptions (logParseExceptions); may be null.
  void set_log(adapters::task_log* log) { log_ = log; }

  core::ingest::row_stats& stats() { return stats_; }
  /// Batches whose second lane was handed to the build pool, and how many of
  /// those the pool ran (the others the task's thread took back).
  struct lane_counts {
    int64_t shared = 0;      ///< batches whose second lane was handed to the pool
    int64_t on_pool = 0;     ///< ... and that the pool ran
    int64_t read_ahead = 0;  ///< batches read while the last one's second lane ran
  };
  lane_counts lanes() const { return lane_counts_; }
  const core::task::task_spec& spec() const { return spec_; }
  /// Why reading stopped being possible, for reports.
  const std::string& last_error() const { return last_error_; }
  void close();

 private:
  struct sequence_data {
    std::unique_ptr<core::ingest::rollup_index> index;  ///< the first lane's rows
    std::unique_ptr<core::ingest::rollup_index> side;   ///< the second's, if any
    std::vector<std::string> parts;                     ///< persisted part files
    int64_t persisted_rows = 0;
  };
  /// A persist in flight: its index comes back cleared, for reuse.
  struct pending_persist {
    std::shared_future<caf::error>
        done;  ///< shared: a build on the pool waits for it too
    std::unique_ptr<core::ingest::rollup_index> index;
    std::unique_ptr<core::ingest::rollup_index> side;  ///< may be null
    std::unique_ptr<core::ingest::schema> snapshot;
  };
  /// A build on the pool: the sequence's rows, the schema as it was, and the
  /// result once `done` is ready.
  struct pending_build {
    int32_t seq = -1;
    std::unique_ptr<core::ingest::rollup_index> index;
    std::unique_ptr<core::ingest::rollup_index> side;  ///< may be null
    std::vector<std::string> parts;
    std::unique_ptr<core::ingest::schema> snapshot;
    std::promise<caf::expected<std::vector<core::segment_record>>> result;
    std::future<caf::expected<std::vector<core::segment_record>>> done;
  };
  sequence_data& data(int32_t seq);
  /// Merges, splits, writes and pushes a sequence's segments. Reads only what
  /// never changes after open (spec, directory, deep storage): safe on the pool.
  caf::expected<std::vector<core::segment_record>> build_segments(
      int32_t seq, core::ingest::rollup_index& index, core::ingest::rollup_index* side,
      const std::vector<std::string>& parts, const core::ingest::schema& schema) const;
  /// Work spread over this thread and the build pool's others (if any).
  core::spread_fn spread_on_pool() const;
  caf::error persist(int32_t seq);
  /// Waits for persists in flight until at most `keep` remain.
  caf::error wait_persists(size_t keep);
  void count(const core::ingest::row_result& r, std::string_view input, size_t bytes,
             core::utc_time now);
  void note_chunk(int64_t event_time);
  /// A cleared index to fill: a spare one, or a new one.
  std::unique_ptr<core::ingest::rollup_index> new_index();

  // The batch's lanes (ingest_lanes.cpp).
  /// The index lane `lane` adds sequence `seq`'s rows to (made if need be).
  core::ingest::rollup_index* lane_index(size_t lane, int32_t seq);
  /// Routes every record of the batch to its sequence and lane; offsets advance.
  void route(core::task::sequences& seqs);
  /// Runs every lane over its share; returns when all rows are in their index.
  caf::error run_lanes();
  /// Counts what the lanes collected, lane by lane.
  void take_lanes(core::utc_time now);
  /// Frees the batch's records: a large batch on the pool, while this thread
  /// reads the next one (its views are gone either way).
  void release_batch();
  /// Polls the next batch (without waiting) into ahead_, while the pool runs
  /// this batch's second lane; read() takes it (or its error) next.
  void read_ahead();
  /// Drops a batch read ahead (its records are read again after an assign).
  void drop_ahead();
  /// The partitions `to_read` leaves out when it keeps every other one at the
  /// position routing reached (what was read ahead is not routed yet); nullopt
  /// when it moves or adds one.
  std::optional<std::vector<core::partition_id>> left_out(
      const core::offset_map& to_read) const;

  core::task::task_spec spec_;
  task_env env_;
  std::string dir_;
  std::unique_ptr<core::ingest::schema> schema_;
  std::vector<std::unique_ptr<ingest_lane>> lanes_;
  struct lane_work {
    std::vector<uint32_t> which;               ///< the batch's records it reads
    std::vector<ingest_lane::target> targets;  ///< its index of each sequence
  };
  std::vector<lane_work> lane_work_;
  std::vector<int32_t> seq_of_;  ///< each record's sequence (-1: not ours)
  lane_counts lane_counts_;
  std::shared_ptr<shared_job> releasing_;  ///< the last batch's release, if any
  std::unique_ptr<adapters::stream_reader> reader_;
  std::map<int32_t, sequence_data> seqs_;
  adapters::record_batch batch_;
  /// Read ahead (reads_ahead_: a reader with independent batches, two lanes,
  /// not cooperative); ahead_state_ says whether it holds records or an error.
  adapters::record_batch ahead_;
  enum class ahead_state { none, records, failed } ahead_state_ = ahead_state::none;
  caf::error ahead_error_;
  bool reads_ahead_ = false;
  core::ingest::row_stats stats_;
  std::vector<core::partition_id> slot_ids_;  ///< the batch slots slot_numbers_ is for
  std::vector<int32_t> slot_numbers_;         ///< batch slot -> partition number
  int part_counter_ = 0;
  std::deque<pending_persist> persisting_;
  /// Cleared indexes to reuse (as many as there are lanes).
  std::vector<std::unique_ptr<core::ingest::rollup_index>> spares_;
  caf::error persist_error_;  ///< the first failed persist's: the task cannot publish
  std::shared_ptr<pending_build> building_;  ///< the build on the pool, if any

  bool track_chunks_ = false;
  adapters::task_log* log_ = nullptr;
  int64_t chunk_lo_ = 0, chunk_hi_ = 0;  ///< the chunk of the last row
  std::set<int64_t> chunks_;             ///< starts of every chunk seen
  std::vector<std::pair<core::utc_time, core::utc_time>> new_chunks_;

  std::function<void()> wake_;
  bool cooperative_ = false;
  int64_t max_parse_exceptions_ = 0;
  std::string last_error_;
};

}  // namespace sv::actors
