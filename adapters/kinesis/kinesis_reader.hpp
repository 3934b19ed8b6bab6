#pragma once
// The Kinesis stream_reader (Druid's KinesisRecordSupplier). Partitions are
// the stream's shards ("shardId-000000000000", ...), from ListShards or
// DescribeStream (`useListShards`), open and closed ones alike.
//
// Positions ("next offset to read", as for every reader):
//   * 0: the shard's trim horizon (nothing read yet: read from the start);
//   * S + 1: after the record with sequence number S (AFTER_SEQUENCE_NUMBER S),
//     so ranges stay [start, end) and Druid's inclusive end S is our S + 1;
//   * stream_offset::end(): the shard is closed and read to its end (EOS).
// Only real sequence numbers go into iterator requests.
//
// Earliest = 0 (the trim horizon) for an open shard, end() for a closed empty
// one. Latest is concrete, because Kinesis has no call that returns it: the
// last record of the shard + 1, found by reading from a timestamp 1 s before
// now (widening the window up to the retention period when the shard was
// quiet; later calls read only from the previous call's time, less 5 s);
// 0 for a shard with no records, end() for a closed shard.
//
// time_lag() is Kinesis' MillisBehindLatest of one GetRecords at each
// position (0 for a closed shard read to its end).
//
// poll() reads the assigned shards in turn with GetRecords (up to 10,000
// records a call), following NextShardIterator. A shard with nothing new
// waits max(fetchDelayMillis, 200 ms) before its next call; a throttled one
// (ProvisionedThroughputExceeded, LimitExceeded) 3 s; an expired iterator is
// fetched again from the position. A closed shard read to its end moves to
// end() and is listed in record_batch::ended. A failed request returns
// stream_unreachable after the records read so far; the next poll resumes
// from the position, so nothing is lost or read twice.

#include <chrono>
#include <memory>
#include <string>

#include "adapters/stream_reader.hpp"
#include "core/stream/kinesis_endpoint.hpp"

namespace sv::adapters {

struct kinesis_reader_config {
  core::stream::kinesis_endpoint endpoint;
  std::string stream;
  bool use_list_shards = false;               ///< ListShards instead of DescribeStream
  std::chrono::milliseconds fetch_delay{0};   ///< Druid's fetchDelayMillis
  std::chrono::milliseconds empty_wait{200};  ///< a shard with nothing new
  std::chrono::milliseconds throttle_wait{3000};  ///< a throttled shard
  std::chrono::milliseconds request_timeout{10000};
  int max_records_per_call = 10000;
};

caf::expected<std::unique_ptr<stream_reader>> open_kinesis_reader(
    const kinesis_reader_config& cfg);

}  // namespace sv::adapters
