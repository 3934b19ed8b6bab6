#pragma once
// One lane of a task's ingest: a parser, an ingestor and a row of its own.
// ingest_pipeline splits a batch's records between its lanes by partition,
// and each lane parses and rolls up its share into its own index of each
// sequence, so two lanes can run at once (the second on the node's build
// pool) without sharing anything they write. The schema is only read: lanes
// are for schemas with a fixed dimension list (schemaless discovery changes
// the schema per row).
//
// A lane only collects: the rows it counted, the rows with errors (with their
// input), and the event times that may open a new time chunk. The task's
// thread takes them once the lane is done, lane by lane, in the order the
// lane met them. Views into records stay valid until the batch is cleared.

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/formats/input_parser.hpp"
#include "adapters/stream_reader.hpp"
#include "core/ingest/ingestor.hpp"

namespace sv::actors {

class ingest_lane {
 public:
  /// A row that was unparseable or processed with an error, with its record.
  struct noted_row {
    core::ingest::row_result result;
    std::string_view input;
    size_t bytes = 0;  ///< the record's bytes when this row carries them
  };
  /// Where a sequence's rows go, for this lane.
  using target = std::pair<int32_t, core::ingest::rollup_index*>;

  static caf::expected<std::unique_ptr<ingest_lane>> make(
      const core::input_format& format, core::ingest::schema& schema,
      core::ingest::time_window window);

  /// Parses and adds records[i] for every i of `which` (in that order) to the
  /// index of sequence seq_of[i] among `targets`; every row is in its index
  /// when this returns. Call take() before the next run.
  void run(const std::vector<adapters::stream_record>& records,
           const std::vector<uint32_t>& which, const std::vector<int32_t>& seq_of,
           const std::vector<target>& targets, bool track_chunks);

  /// Processed and thrown-away rows (those without an error), with bytes.
  const core::ingest::row_counts& counted() const { return counted_; }
  const std::vector<noted_row>& noted() const { return noted_; }
  /// Event times outside the time chunk of the row before them (each may be a
  /// chunk the task has not seen), when chunk tracking is on.
  const std::vector<int64_t>& chunk_times() const { return chunk_times_; }
  /// Forgets what the last run collected.
  void take();

 private:
  ingest_lane(core::ingest::schema& schema, core::ingest::time_window window,
              std::unique_ptr<adapters::input_parser> parser);
  /// The record whose rows are being added.
  struct record_context {
    core::ingest::rollup_index& index;
    std::string_view input;
    bool track_chunks = false;
    bool any = false;  ///< a row of it was counted (it carries the bytes)
  };
  void add_row(const core::ingest::row_buffer& row, record_context& ctx);
  void count(core::ingest::row_result r, std::string_view input, size_t bytes);

  core::ingest::schema& schema_;
  core::ingest::ingestor ingestor_;
  std::unique_ptr<adapters::input_parser> parser_;
  core::ingest::row_buffer row_;
  core::ingest::row_counts counted_;
  std::vector<noted_row> noted_;
  std::vector<int64_t> chunk_times_;
  int64_t chunk_lo_ = 0, chunk_hi_ = 0;  ///< the chunk of the last row
};

}  // namespace sv::actors
