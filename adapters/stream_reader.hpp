#pragma once
// Reading a partitioned stream (Kafka, RabbitMQ streams, Kinesis), in the
// spirit of Druid's RecordSupplier.
//
// Contract
// * Blocking calls: use a reader only from a detached actor (or a plain
//   thread), never on the shared actor scheduler, unless set_wakeup() says
//   it never blocks. One thread at a time.
// * Offsets are "next offset to read": assign({p: 5}) makes the first record of
//   p have offset 5. Ranges are [start, end). A partition that ends for good
//   (a closed Kinesis shard read to its end) has position stream_offset::end().
// * Errors are values (adapters::errc): stream_unreachable (retryable: keep
//   polling, the reader resumes where it was, nothing lost or repeated),
//   offset_out_of_range (out_of_range_details() says partition, requested and
//   earliest offsets), unknown_topic, authorization_failed, stream_config,
//   stream_failed.
// * poll() may return records together with a deferred error: the records
//   come first, the error on the next call.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/offsets.hpp"

namespace sv::adapters {

/// One record; key, value and headers view memory owned by its batch.
struct stream_record {
  uint32_t slot = 0;  ///< index into record_batch::partitions
  core::stream_offset offset = 0;
  int64_t timestamp_ms = -1;  ///< producer/broker timestamp, -1 if none
  std::string_view key;
  std::string_view value;
  uint32_t headers_begin = 0;  ///< range in record_batch::headers
  uint32_t headers_count = 0;
};

/// The records of one poll. Move-only; valid until the next poll into it.
class record_batch {
 public:
  record_batch() = default;
  record_batch(const record_batch&) = delete;
  record_batch& operator=(const record_batch&) = delete;
  record_batch(record_batch&& other) noexcept;
  record_batch& operator=(record_batch&& other) noexcept;
  ~record_batch() { clear(); }

  std::vector<stream_record> records;
  /// Partition id of each slot (stable for a reader across polls).
  std::vector<core::partition_id> partitions;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  /// Whether readers fill `headers` (a record's headers_begin/headers_count);
  /// off by default: no input format reads them, and Kafka's cost a cache miss
  /// per record. Kept across clear() and moves.
  bool with_headers = false;
  /// Slots whose partition ended in this poll (a Kinesis shard closed and
  /// read to its end): their position is now stream_offset::end().
  std::vector<uint32_t> ended;

  const core::partition_id& partition_of(const stream_record& r) const {
    return partitions[r.slot];
  }
  size_t size() const { return records.size(); }
  bool empty() const { return records.empty(); }

  /// Releases the records (and the client memory they view).
  void clear();

  /// For readers: memory the views point into, released by clear().
  void own(void* handle, void (*release)(void*)) { owned_.push_back({handle, release}); }

 private:
  struct owned {
    void* handle;
    void (*release)(void*);
  };
  std::vector<owned> owned_;
};

class stream_reader {
 public:
  virtual ~stream_reader() = default;

  /// Every partition of the stream (for a topic pattern: of every matching
  /// topic, as "topic:partition").
  virtual caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds timeout) = 0;

  /// The parents of each partition, as the last partitions() call saw them
  /// (a Kinesis shard made by a split or a merge); none for other streams.
  virtual std::map<core::partition_id, std::vector<core::partition_id>>
  partition_parents() const {
    return {};
  }

  /// Earliest retained / latest (next to be written) offsets, one batched
  /// request per call.
  virtual caf::expected<core::offset_map> earliest_offsets(
      const std::vector<core::partition_id>& ps, std::chrono::milliseconds timeout) = 0;
  virtual caf::expected<core::offset_map> latest_offsets(
      const std::vector<core::partition_id>& ps, std::chrono::milliseconds timeout) = 0;

  /// Milliseconds each position is behind the stream's newest record
  /// (Kinesis' MillisBehindLatest). Streams that do not tell return
  /// errc::stream_config.
  virtual caf::expected<core::offset_map> time_lag(const core::offset_map& positions,
                                                   std::chrono::milliseconds timeout);

  /// Reads exactly these partitions from these offsets (replaces any earlier
  /// assignment).
  virtual caf::error assign(const core::offset_map& start) = 0;

  /// Stops reading these partitions (of those assigned); the others go on
  /// from the reader's position, and records already returned stay valid. By
  /// default an assign of the position without them.
  virtual caf::error stop_reading(const std::vector<core::partition_id>& ids);

  /// Waits up to `timeout` for records and returns how many were put in
  /// `out` (at most `max_records`); 0 when none arrived in time.
  virtual caf::expected<size_t> poll(record_batch& out, size_t max_records,
                                     std::chrono::milliseconds timeout) = 0;

  /// For readers that never block (a queue on a shared client): `wake` is
  /// called, on a client thread, when records arrive after a poll found none,
  /// so the owner polls with a timeout of 0 instead of waiting. Call before
  /// assign. Returns false for readers that wait in poll (the default).
  virtual bool set_wakeup(std::function<void()> wake) {
    (void)wake;
    return false;
  }

  /// True when a batch's records stay valid while the reader polls into
  /// another batch (so a caller may read the next batch before it is done with
  /// the last). False by default.
  virtual bool independent_batches() const { return false; }

  /// Next offset to read per assigned partition (after the records returned).
  virtual core::offset_map position() const = 0;

  /// Releases the client. Further calls fail.
  virtual void close() = 0;
};

}  // namespace sv::adapters
