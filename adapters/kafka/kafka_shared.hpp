#pragma once
// Kafka readers that share one client per cluster: one librdkafka handle,
// with its threads and broker connections, serves many readers (the tasks of
// a worker) instead of each opening its own.
//
// * Each reader has its own queue on the shared client, and its partitions
//   are started into that queue at its offsets and stopped one by one
//   (librdkafka's per-partition consume_start_queue / consume_stop), so one
//   reader's assignment never touches another's.
// * Never blocking: poll() with a timeout of 0 returns what has arrived;
//   set_wakeup() names a function the client calls (on its own thread) when
//   records arrive for a reader whose queue was empty. A positive timeout
//   still waits, for callers that may block.
// * Flow control is per reader: its partitions forward into its queue, and
//   librdkafka stops fetching them while that queue holds
//   queued.max.messages.kbytes (16 MiB here unless the spec says otherwise),
//   so a reader that stops polling stops its own partitions' fetching only.
//   Once the queue drained, the reader wakes the fetcher (fetch_wake.hpp).
// * A client starts a partition once: a second reader of the same partition
//   (a replica, or a backfill on the same node) gets another client of the
//   same cluster. A client closes when its last reader does.
// * Reachability: the client's transport errors are shared by its readers; a
//   reader that has heard nothing for 2 s while the client reports them
//   answers stream_unreachable (and keeps its place), as kafka_reader does.
// Thread safety: the hub may be used from any thread; each reader from one
// thread at a time.

#include <memory>

#include "adapters/kafka/kafka_reader.hpp"

namespace sv::adapters {

class kafka_shared_clients {
 public:
  kafka_shared_clients();
  ~kafka_shared_clients();
  kafka_shared_clients(const kafka_shared_clients&) = delete;
  kafka_shared_clients& operator=(const kafka_shared_clients&) = delete;

  /// A reader on the shared client of cfg's cluster (the bootstrap servers
  /// and consumer properties; client_id is not part of it).
  caf::expected<std::unique_ptr<stream_reader>> open(const kafka_reader_config& cfg);

  /// Clients open now (over every cluster).
  size_t clients() const;

  struct impl;  ///< shared with the readers, which may outlive this object

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace sv::adapters
