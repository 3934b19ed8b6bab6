#pragma once
// The exactly-once check of a datasource (`streamvisor verify`, the fault
// runs): every id the stream holds in the supervisor's committed range is in
// the published segments exactly once, nothing else is there, the committed
// offsets are where the stream ends, and they never moved backwards while
// they were watched. Pure bookkeeping; the command feeds it what it reads.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json.hpp"
#include "core/offsets.hpp"

namespace sv::core::verify {

struct violation_list {
  int64_t count = 0;
  std::vector<std::string> first;  ///< the first few, for the report
};

struct report {
  int64_t expected = 0;          ///< ids read from the stream's committed range
  int64_t published = 0;         ///< rows read from the published segments
  violation_list missing;        ///< in the stream, in no segment
  violation_list duplicated;     ///< in segments more than once ("id xN")
  violation_list unexpected;     ///< in segments, not in the stream's range
  violation_list no_id;          ///< records or rows without the id field
  violation_list offsets;        ///< committed offsets backwards or not at the end
  violation_list leader_writes;  ///< by an epoch that no longer led (leader_log.hpp)
  bool ok() const {
    return missing.count == 0 && duplicated.count == 0 && unexpected.count == 0 &&
           no_id.count == 0 && offsets.count == 0 && leader_writes.count == 0;
  }
  /// {"ok", "expected", "published", "missing": {"count", "first"}, ...}
  json to_json() const;
};

class checker {
 public:
  explicit checker(size_t listed = 20) : listed_(listed) {}

  /// An id the stream holds at `offset` of `partition` (in the range).
  void expect(std::string_view id);
  /// A stream record without the id (where it was).
  void expect_without_id(const partition_id& p, stream_offset offset);
  /// A row of a published segment.
  void published(std::string_view id);
  void published_without_id(const std::string& segment);

  /// One look at the committed offsets row (in time order): a partition
  /// whose offset is lower than at an earlier look moved backwards.
  void observe_committed(const offset_map& committed);
  /// The final row against where the stream ends (all read and published).
  void expect_end(const offset_map& committed, const offset_map& stream_end);

  /// The cluster's leader log was checked (check_leader_log).
  void leader_writes(violation_list v) { base_.leader_writes = std::move(v); }

  report finish() const;

 private:
  void note(violation_list& v, std::string what) const;

  size_t listed_;
  std::unordered_map<std::string, int32_t> expected_;   ///< id -> times in stream
  std::unordered_map<std::string, int32_t> published_;  ///< id -> times published
  offset_map seen_;  ///< highest committed offset seen per partition
  report base_;      ///< no_id and offsets violations, counted as they come
};

}  // namespace sv::core::verify
