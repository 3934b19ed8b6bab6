#pragma once
// What a task needs from its node: the metadata actor, deep storage, a work
// directory, how to open its stream reader, and whom to tell about
// checkpoints and its end (its supervisor; may be null for a lone task).

#include <functional>
#include <memory>
#include <string>

#include <caf/typed_actor.hpp>

#include "actors/lockbox_actor.hpp"
#include "actors/metadata_actor.hpp"
#include "actors/probe_hub.hpp"
#include "actors/task/build_pool.hpp"

#include "adapters/deep_storage.hpp"
#include "adapters/stream_reader.hpp"
#include "messages/task_messages.hpp"

namespace sv::actors {

using task_listener = caf::typed_actor<
    caf::reacts_to<msg::checkpoint_requested>, caf::reacts_to<msg::task_finished>,
    caf::reacts_to<msg::task_lock_wait>, caf::reacts_to<msg::task_problem>,
    caf::replies_to<msg::predecessor_query>::with<bool>>;

using reader_factory =
    std::function<caf::expected<std::unique_ptr<adapters::stream_reader>>(
        const core::task::task_spec&)>;

/// Stream clients a node's tasks share, one per cluster (stream_readers.cpp
/// says which stream types have them): a task of such a type reads through
/// its own queue on the shared client and runs as a scheduled actor woken by
/// its records, instead of a thread and a client of its own.
struct shared_stream_clients;
std::shared_ptr<shared_stream_clients> make_shared_stream_clients();

struct task_env {
  metadata_actor metadata;
  std::shared_ptr<adapters::deep_storage> deep_storage;
  std::string work_dir;  ///< tasks keep their persisted parts under work_dir/{task id}
  /// Opens the task's reader; default: the Kafka reader from the spec's ioConfig.
  reader_factory open_reader;
  std::string embedded_kafka_bootstrap;  ///< for "bootstrap.servers": "embedded"
  task_listener listener;                ///< null for a task without a supervisor
  /// Time-chunk locks; null: the task takes none (a lone task in a test).
  lockbox_actor lockbox;
  /// Where each task writes its own log ({log_dir}/{task id}.log); empty: the
  /// node's log only.
  std::string log_dir;
  /// Where the task runs, "host:port" of its node's HTTP API (Druid's task
  /// location); "local" until the node knows its port.
  std::string location = "local";
  /// The leader epoch of the supervisor that placed the task (0 on a single
  /// node): commands of older epochs are refused.
  int64_t epoch = 0;
  /// The node's shared stream clients; null: every task opens its own.
  std::shared_ptr<shared_stream_clients> shared;
  /// Where tasks build and push their segments (make_build_pool); null: on
  /// the task's own thread.
  std::shared_ptr<build_pool> builder;
};

/// True when a task of this spec reads through env.shared (and so runs as a
/// scheduled actor rather than on a thread of its own).
bool reads_shared(const core::task::task_spec& spec, const task_env& env);

/// The reader of a supervisor spec's stream, by its type (stream_readers.cpp
/// holds the table): Kafka from consumerProperties and topic/topicPattern
/// ("bootstrap.servers": "embedded" means this node's embedded Kafka),
/// RabbitMQ from uri, consumerProperties and stream. `client_id` names the
/// client to the broker.
caf::expected<std::unique_ptr<adapters::stream_reader>> open_spec_reader(
    const core::supervisor_spec& spec, const std::string& client_id,
    const std::string& embedded_bootstrap);

/// The node's probe client serving a supervisor of this spec (Kafka: one
/// listing every topic of the spec's cluster), and which one that is: specs
/// with the same cluster share a client (and its thread).
caf::expected<std::unique_ptr<adapters::stream_reader>> open_probe_reader(
    const core::supervisor_spec& spec, const std::string& client_id,
    const std::string& embedded_bootstrap);
probe_source probe_source_of(const core::supervisor_spec& spec);

/// The task's reader on the node's shared client of its cluster (only where
/// reads_shared holds). It never blocks: see stream_reader::set_wakeup.
caf::expected<std::unique_ptr<adapters::stream_reader>> open_shared_reader(
    const core::supervisor_spec& spec, const std::string& client_id,
    const std::string& embedded_bootstrap, shared_stream_clients& shared);

}  // namespace sv::actors
