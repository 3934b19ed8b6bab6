#pragma once
// probe_hub — one stream probe client, and one thread, per stream cluster on
// this node, shared by every supervisor reading from that cluster.
//
// Role: hands each supervisor a stream_probe_actor for its spec. That actor is
//   light (scheduled, no client of its own): it forwards each probe_stream to
//   its cluster's probe worker with the spec. The worker (detached: stream
//   clients block) keeps one client per cluster for streams whose metadata
//   lists every stream at once (Kafka: one librdkafka client per bootstrap
//   servers and properties, whatever the topics), else one per stream of the
//   cluster. Requests that arrive while the worker is busy are answered
//   together: for a cluster-wide client, with one listing, one latest-offsets
//   and one earliest-offsets call for all of them (so 10,000 supervisors of
//   one cluster cost a few calls per drain, not 10,000).
// Lifecycle: the hub lives as long as the supervisor envs holding it; a
//   worker is spawned on the first spec of its cluster and lives with the
//   hub. A client unused for ten minutes is closed; a failed one is closed at
//   once and reopened on the next request.
// Messages: probe_stream in, stream_snapshot (or the reader's error) out, as
//   stream_probe_actor.
// Failure behaviour: an unreachable cluster answers every request for the
//   next second with the same error without trying, so supervisors of a down
//   cluster do not queue behind each other's timeouts; other clusters have
//   their own workers and are not held up.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actors/stream_probe_actor.hpp"

namespace sv::actors {

/// Which client of the node serves a spec: specs with equal `cluster` share a
/// worker; within it, equal `stream` share a client (ignored for streams with
/// cluster-wide probes, which share one client per cluster).
struct probe_source {
  std::string cluster;
  std::string stream;
};

class probe_hub {
 public:
  using source_fn = std::function<probe_source(const core::supervisor_spec&)>;

  /// `open` opens a probe client for a spec (for cluster-wide streams: one
  /// listing every stream of the cluster); `source` says which one serves it.
  probe_hub(caf::actor_system& sys, probe_opener open, source_fn source,
            placement where = placement::detached);
  ~probe_hub();
  probe_hub(const probe_hub&) = delete;
  probe_hub& operator=(const probe_hub&) = delete;

  /// A probe for this spec, served by its cluster's worker.
  stream_probe_actor probe_for(const core::supervisor_spec& spec);

  /// Stops every worker (the node is stopping); later probes answer
  /// stream_unreachable.
  void stop();

  /// Workers spawned so far (one per cluster).
  size_t clusters() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sv::actors
