#pragma once
// Writing to Kinesis, and managing streams, for `streamvisor generate` and
// the tests: CreateStream (waiting until ACTIVE), PutRecords in calls of up
// to 500 records (retrying the records a call failed), SplitShard,
// MergeShards, DeleteStream. Blocking; one thread at a time.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/stream/kinesis_endpoint.hpp"

namespace sv::adapters {

class kinesis_client;

/// One shard as DescribeStream shows it.
struct kinesis_shard_info {
  std::string id;
  std::string parent;           ///< empty when none
  std::string adjacent_parent;  ///< empty when none (set on a merge's child)
  std::string starting_hash_key;
  std::string ending_hash_key;
  bool closed = false;  ///< has an ending sequence number
};

class kinesis_producer {
 public:
  explicit kinesis_producer(core::stream::kinesis_endpoint endpoint);
  ~kinesis_producer();

  /// Creates the stream (when missing) and waits until it is ACTIVE.
  caf::error create_stream(const std::string& stream, int shards);
  caf::error delete_stream(const std::string& stream);
  /// Waits until the stream is ACTIVE (after a split or a merge).
  caf::error wait_active(const std::string& stream, std::chrono::milliseconds timeout);
  caf::expected<std::vector<kinesis_shard_info>> shards(const std::string& stream);

  /// Writes (partition key, data) pairs in order of the vector per key.
  caf::error put(const std::string& stream,
                 const std::vector<std::pair<std::string, std::string>>& records);

  /// Splits a shard in the middle of its hash key range.
  caf::error split(const std::string& stream, const std::string& shard);
  /// Merges two adjacent shards.
  caf::error merge(const std::string& stream, const std::string& shard,
                   const std::string& adjacent);

 private:
  std::unique_ptr<kinesis_client> client_;
};

}  // namespace sv::adapters
