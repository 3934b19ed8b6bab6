// The stream readers by supervisor type: the one place that knows which
// adapter reads which stream and how a spec's ioConfig configures it.

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "actors/task/task_env.hpp"
#include "adapters/errc.hpp"
#include "adapters/kafka/kafka_reader.hpp"
#include "adapters/kafka/kafka_shared.hpp"
#include "adapters/kinesis/kinesis_reader.hpp"
#include "adapters/rabbit/rabbit_reader.hpp"
#include "core/spec/secrets.hpp"
#include "core/stream/kinesis_endpoint.hpp"
#include "core/stream/rabbit_endpoint.hpp"

namespace sv::actors {

namespace {

using reader_result = caf::expected<std::unique_ptr<adapters::stream_reader>>;

std::optional<std::string> from_environment(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string{v};
  return std::nullopt;
}

std::optional<std::string> from_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// consumerProperties with their password providers resolved, here where the
// task runs (its environment, its files).
caf::expected<core::json::object> properties(const core::supervisor_spec& spec) {
  if (!spec.io.consumer_properties) return core::json::object{};
  auto props =
      core::resolve_properties(*spec.io.consumer_properties, from_environment, from_file);
  if (!props)
    return adapters::make_error(adapters::errc::stream_config,
                                core::error_message(props.error()));
  return props;
}

caf::expected<adapters::kafka_reader_config> kafka_config(
    const core::supervisor_spec& spec, const std::string& client_id,
    const std::string& embedded_bootstrap) {
  adapters::kafka_reader_config cfg;
  const auto& io = spec.io;
  auto props = properties(spec);
  if (!props) return props.error();
  cfg.consumer_properties = std::move(*props);
  // librdkafka 2.0.2 stops fetching for about a second whenever its local queue
  // passes queued.min.messages (100,000 by default, counted over all partitions
  // of a client's consumer queue). A task that parses slower than it fetches
  // hits that at once; buffer by bytes instead. Overridable.
  if (!core::find_member(cfg.consumer_properties, "queued.min.messages"))
    cfg.consumer_properties.push_back({"queued.min.messages", core::json{"10000000"}});
  cfg.topic = io.topic;
  cfg.topic_pattern = io.topic_pattern;
  cfg.client_id = client_id;
  cfg.embedded_bootstrap = embedded_bootstrap;
  return cfg;
}

reader_result open_kafka(const core::supervisor_spec& spec, const std::string& client_id,
                         const std::string& embedded_bootstrap) {
  auto cfg = kafka_config(spec, client_id, embedded_bootstrap);
  if (!cfg) return cfg.error();
  // One client per task: its whole buffer (128 MiB) by bytes.
  if (!core::find_member(cfg->consumer_properties, "queued.max.messages.kbytes"))
    cfg->consumer_properties.push_back(
        {"queued.max.messages.kbytes", core::json{"131072"}});
  return adapters::open_kafka_reader(*cfg);
}

reader_result open_rabbit(const core::supervisor_spec& spec, const std::string&,
                          const std::string&) {
  const auto& io = spec.io;
  auto props = properties(spec);
  if (!props) return props.error();
  auto ep =
      core::stream::parse_rabbit_endpoint(io.uri.value_or(""), &*props, from_environment);
  if (!ep)
    return adapters::make_error(adapters::errc::stream_config,
                                core::error_message(ep.error()));
  adapters::rabbit_reader_config cfg;
  cfg.endpoint = std::move(*ep);
  cfg.super_stream = io.stream.value_or("");
  // Druid's recordBufferSize bounds the records in flight; here it is the
  // prefetch of each partition's consumer.
  if (spec.tuning.record_buffer_size && *spec.tuning.record_buffer_size > 0)
    cfg.prefetch =
        static_cast<uint16_t>(std::min(*spec.tuning.record_buffer_size, 65535));
  return adapters::open_rabbit_reader(cfg);
}

reader_result open_kinesis(const core::supervisor_spec& spec, const std::string&,
                           const std::string&) {
  const auto& io = spec.io;
  auto ep = core::stream::parse_kinesis_endpoint(io.endpoint, from_environment);
  if (!ep)
    return adapters::make_error(adapters::errc::stream_config,
                                core::error_message(ep.error()));
  adapters::kinesis_reader_config cfg;
  cfg.endpoint = std::move(*ep);
  cfg.stream = io.stream.value_or("");
  cfg.use_list_shards = spec.tuning.use_list_shards.value_or(false);
  cfg.fetch_delay = std::chrono::milliseconds{io.fetch_delay_millis};
  return adapters::open_kinesis_reader(cfg);
}

// Kafka's probe client lists every topic of its cluster ("topic:partition").
reader_result open_kafka_cluster(const core::supervisor_spec& spec,
                                 const std::string& client_id,
                                 const std::string& embedded_bootstrap) {
  auto all = spec;
  all.io.topic.reset();
  all.io.topic_pattern = ".*";
  return open_kafka(all, client_id, embedded_bootstrap);
}

std::string properties_key(const core::supervisor_spec& spec) {
  return spec.io.consumer_properties ? core::json{*spec.io.consumer_properties}.dump()
                                     : std::string{};
}

// The cluster: what a client connects to and how (credentials included).
std::string kafka_cluster(const core::supervisor_spec& spec) {
  return properties_key(spec);
}
std::string rabbit_cluster(const core::supervisor_spec& spec) {
  return spec.io.uri.value_or("") + "|" + properties_key(spec);
}
std::string kinesis_cluster(const core::supervisor_spec& spec) {
  return spec.io.endpoint + "|" + properties_key(spec);
}

}  // namespace

struct shared_stream_clients {
  adapters::kafka_shared_clients kafka;
};

std::shared_ptr<shared_stream_clients> make_shared_stream_clients() {
  return std::make_shared<shared_stream_clients>();
}

namespace {

// On the shared client each reader buffers on its own (16 MiB unless the spec
// says otherwise, see kafka_shared.hpp).
reader_result open_kafka_shared(const core::supervisor_spec& spec,
                                const std::string& client_id,
                                const std::string& embedded_bootstrap,
                                shared_stream_clients& shared) {
  auto cfg = kafka_config(spec, client_id, embedded_bootstrap);
  if (!cfg) return cfg.error();
  return shared.kafka.open(*cfg);
}

struct reader_entry {
  std::string_view type;
  reader_result (*open)(const core::supervisor_spec&, const std::string&,
                        const std::string&);
  /// The probe client of the node that serves a spec's supervisor.
  reader_result (*open_probe)(const core::supervisor_spec&, const std::string&,
                              const std::string&);
  std::string (*cluster)(const core::supervisor_spec&);
  /// A task's reader on the node's shared client; null: tasks open their own.
  reader_result (*open_shared)(const core::supervisor_spec&, const std::string&,
                               const std::string&, shared_stream_clients&);
};

constexpr std::array<reader_entry, 3> readers{{
    {"kafka", open_kafka, open_kafka_cluster, kafka_cluster, open_kafka_shared},
    {"rabbit", open_rabbit, open_rabbit, rabbit_cluster, nullptr},
    {"kinesis", open_kinesis, open_kinesis, kinesis_cluster, nullptr},
}};

const reader_entry* entry_of(const std::string& type) {
  for (const auto& r : readers)
    if (r.type == type) return &r;
  return nullptr;
}

reader_result unreadable(const core::supervisor_spec& spec) {
  return adapters::make_error(adapters::errc::stream_config,
                              "streams of type '" + spec.type + "' cannot be read yet");
}

}  // namespace

reader_result open_spec_reader(const core::supervisor_spec& spec,
                               const std::string& client_id,
                               const std::string& embedded_bootstrap) {
  auto* r = entry_of(spec.type);
  return r ? r->open(spec, client_id, embedded_bootstrap) : unreadable(spec);
}

reader_result open_probe_reader(const core::supervisor_spec& spec,
                                const std::string& client_id,
                                const std::string& embedded_bootstrap) {
  auto* r = entry_of(spec.type);
  return r ? r->open_probe(spec, client_id, embedded_bootstrap) : unreadable(spec);
}

bool reads_shared(const core::task::task_spec& spec, const task_env& env) {
  auto* r = entry_of(spec.spec.type);
  return env.shared && !env.open_reader && r && r->open_shared;
}

reader_result open_shared_reader(const core::supervisor_spec& spec,
                                 const std::string& client_id,
                                 const std::string& embedded_bootstrap,
                                 shared_stream_clients& shared) {
  auto* r = entry_of(spec.type);
  if (!r || !r->open_shared) return unreadable(spec);
  return r->open_shared(spec, client_id, embedded_bootstrap, shared);
}

probe_source probe_source_of(const core::supervisor_spec& spec) {
  auto* r = entry_of(spec.type);
  return {spec.type + "|" + (r ? r->cluster(spec) : std::string{}), spec.stream()};
}

}  // namespace sv::actors
