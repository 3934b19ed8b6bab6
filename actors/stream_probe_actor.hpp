#pragma once
// stream_probe_actor — a supervisor's view of its stream's metadata.
//
// Role: lists the stream's partitions and reads their earliest and latest
//   offsets (one batched request each) for the supervisor's runs and its lag
//   reports. It reads no records.
// Lifecycle: spawned by its supervisor (detached: the stream client blocks),
//   again on each spec update; quits with it. The client is opened on the
//   first request and after every failure.
// Messages in: probe_stream. Replies stream_snapshot or the reader's error
//   (stream_unreachable, unknown_topic, ...).
// Failure behaviour: an error closes the client, so the next request starts
//   from a fresh connection; the supervisor counts the failed run.

#include <functional>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/metadata_actor.hpp"
#include "adapters/stream_reader.hpp"
#include "messages/supervisor_messages.hpp"

namespace sv::actors {

using stream_probe_actor =
    caf::typed_actor<caf::replies_to<msg::probe_stream>::with<msg::stream_snapshot>>;

/// Opens a metadata-only client for a spec's stream.
using probe_opener =
    std::function<caf::expected<std::unique_ptr<adapters::stream_reader>>(
        const core::supervisor_spec&)>;

/// One probe with a reader: partitions (and parents), latest offsets, and
/// when asked earliest offsets and time lag. Shared with the probe hub.
caf::expected<msg::stream_snapshot> probe_reader(adapters::stream_reader& reader,
                                                 const msg::probe_stream& m,
                                                 std::chrono::milliseconds timeout);

stream_probe_actor spawn_stream_probe(caf::actor_system& sys, core::supervisor_spec spec,
                                      probe_opener open,
                                      placement where = placement::detached);

}  // namespace sv::actors
