#pragma once
// A task's sequences (Druid's SequenceMetadata): consecutive offset ranges a
// task publishes one by one. The open sequence starts where the previous one
// ends; a checkpoint closes it at end offsets E (records below E[p] still
// belong to it, the rest to the next one); the final end stops reading. A
// sequence is complete once every partition reached its end, and is then
// published with its own start/end offsets (and commit-as offsets).
//
// Partitions are numbered once (index_of); the per-record calls (route,
// advance) take that number, so the hot path does no map lookups.
//
// Pure bookkeeping: no I/O; the task actor asks it what to do.

#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "core/offsets.hpp"

namespace sv::core::task {

struct sequence {
  int32_t id = 0;
  offset_map start;
  std::optional<offset_map> end;        ///< set by a checkpoint or the final end
  std::optional<offset_map> commit_as;  ///< the row is set to this instead of end
  bool is_final = false;                ///< the last sequence: the task ends after it
  bool published = false;
};

class sequences {
 public:
  /// A task reading from `start`; `final_end` known up front for bounded tasks.
  sequences(offset_map start, std::optional<offset_map> final_end = std::nullopt,
            std::optional<offset_map> commit_as = std::nullopt);

  /// The number of a partition of this task, or -1.
  int32_t index_of(const partition_id& p) const;

  /// The sequence a record belongs to (index into all()), or -1 when it is at
  /// or beyond the final end (the record must be skipped).
  int32_t route(int32_t partition, stream_offset offset) const;
  int32_t route(const partition_id& p, stream_offset offset) const {
    return route(index_of(p), offset);
  }

  /// Notes that records up to (excluding) `next` were read on the partition.
  void advance(int32_t partition, stream_offset next);
  void advance(const partition_id& p, stream_offset next) { advance(index_of(p), next); }

  /// Checkpoint (finish=false): closes the open sequence at `end` and opens the
  /// next. Final (finish=true): `end` is where the task stops. Errors: an end
  /// below the current position, unknown partitions, an end already final.
  caf::error set_end(const offset_map& end, bool finish,
                     const std::optional<offset_map>& commit_as = std::nullopt);

  /// Indices of sequences complete but not yet published, oldest first.
  std::vector<int32_t> ready() const;
  void mark_published(int32_t index) {
    seqs_[static_cast<size_t>(index)].published = true;
  }

  /// Partitions still to read from, with their next offsets.
  offset_map to_read() const;
  /// True when the final sequence is published.
  bool done() const;
  bool has_final_end() const { return seqs_.back().is_final; }

  offset_map position() const;
  const std::vector<sequence>& all() const { return seqs_; }
  /// The open (last) sequence.
  const sequence& open() const { return seqs_.back(); }
  /// End offsets of the final sequence, if set.
  std::optional<offset_map> final_end() const;

 private:
  // Per partition number: the start and (if any) end of every sequence.
  struct bounds {
    stream_offset start;
    stream_offset end;  ///< stream_offset::end() when open
  };
  bool complete(size_t seq) const;

  std::vector<partition_id> ids_;        ///< partition number -> id
  std::vector<stream_offset> position_;  ///< per partition number
  std::vector<sequence> seqs_;
  std::vector<std::vector<bounds>> bounds_;  ///< [sequence][partition number]
};

}  // namespace sv::core::task
