// streamvisor generate: produces wiki-edit-like JSON events to a Kafka topic,
// a RabbitMQ super stream or a Kinesis stream at a chosen rate (see
// core/event_generator.hpp for the event shape).

#include <csignal>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <thread>

#include "adapters/kafka/kafka_producer.hpp"
#include "adapters/kinesis/kinesis_producer.hpp"
#include "adapters/rabbit/rabbit_producer.hpp"
#include "adapters/rabbit/rabbit_reader.hpp"
#include "app/commands.hpp"
#include "app/flags.hpp"
#include "core/errc.hpp"
#include "core/event_generator.hpp"

namespace sv::app {

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) {
  stop_requested = 1;
}

const char* usage = R"(usage: streamvisor generate --topic TOPIC [options]
       streamvisor generate --super-stream NAME --rabbit URI [options]
       streamvisor generate --stream NAME --kinesis ENDPOINT [options]

Produces wiki-edit-like JSON events (about 330 bytes: timestamp, unique id, 10
dimensions, 5 numbers) round-robin over the topic's partitions (the super
stream's member streams; for Kinesis over as many partition keys as the
stream has shards).

  --topic TOPIC           Kafka topic to write (must exist)
  --bootstrap SERVERS     Kafka bootstrap servers
  --bootstrap-file PATH   read them from a file (default var/kafka.bootstrap)
  --super-stream NAME     RabbitMQ super stream to write
  --rabbit URI            its stream port, as a spec's ioConfig.uri:
                          rabbitmq-stream://[USER:PASS@]HOST[:PORT][/VHOST]
  --amqp HOST:PORT        the AMQP 0-9-1 port events are published to
                          (default: the URI's host, port 5672)
  --partitions N          create the super stream with N partitions first
  --stream NAME           Kinesis stream to write
  --kinesis ENDPOINT      its endpoint, as a spec's ioConfig.endpoint
                          (kinesis.REGION.amazonaws.com or http(s)://HOST:PORT;
                          credentials from AWS_ACCESS_KEY_ID, ...)
  --shards N              create the Kinesis stream with N shards first
  --rate N                events per second (default 100; 0 = as fast as possible)
  --count N               stop after N events (default 0 = until stopped)
  --run ID                id prefix of the events (default: random)
  --seed N                content seed (default: random)
)";

int fail(const caf::error& err) {
  std::cerr << "streamvisor generate: " << core::error_message(err) << "\n";
  return 2;
}

// Where events go: a Kafka topic, a RabbitMQ super stream or a Kinesis stream.
struct sink {
  std::string name;
  int32_t partitions = 0;
  std::function<caf::error(int32_t, std::string_view)> send;
  std::function<caf::error()> flush;
  std::function<uint64_t()> delivered;
};

caf::expected<sink> kafka_sink(const std::string& topic, std::string bootstrap,
                               const std::string& bootstrap_file) {
  if (bootstrap.empty()) {
    std::ifstream in{bootstrap_file};
    std::getline(in, bootstrap);
    if (bootstrap.empty())
      return core::make_error(core::errc::invalid_input,
                              "no --bootstrap and nothing in " + bootstrap_file);
  }
  auto producer = adapters::open_kafka_producer(
      core::json::make_object({{"bootstrap.servers", bootstrap}}).as_object());
  if (!producer) return producer.error();
  auto partitions = (*producer)->partition_count(topic, std::chrono::seconds{10});
  if (!partitions) return partitions.error();
  std::shared_ptr<adapters::kafka_producer> p = std::move(*producer);
  return sink{topic + " at " + bootstrap, *partitions,
              [p, topic](int32_t part, std::string_view v) {
                return p->produce(topic, part, {}, v);
              },
              [p] { return p->flush(std::chrono::seconds{30}); },
              [p] { return p->failed() == 0 ? p->delivered() : 0; }};
}

caf::expected<sink> rabbit_sink(const std::string& name, const std::string& uri,
                                const std::string& amqp, int32_t create) {
  if (uri.empty())
    return core::make_error(core::errc::invalid_input,
                            "--super-stream needs --rabbit URI");
  auto props = core::json::make_object({});
  if (!amqp.empty()) props.set("amqpUri", "amqp://" + amqp);
  auto ep = core::stream::parse_rabbit_endpoint(
      uri, &props.as_object(), [](const std::string&) { return std::nullopt; });
  if (!ep) return ep.error();
  auto producer = adapters::open_rabbit_producer(*ep);
  if (!producer) return producer.error();
  if (create > 0)
    if (auto err = (*producer)->create_super_stream(name, create)) return err;
  adapters::rabbit_reader_config rc;
  rc.endpoint = *ep;
  rc.super_stream = name;
  auto reader = adapters::open_rabbit_reader(rc);
  if (!reader) return reader.error();
  auto ps = (*reader)->partitions(std::chrono::seconds{10});
  if (!ps) return ps.error();
  std::shared_ptr<adapters::rabbit_producer> p = std::move(*producer);
  return sink{
      "super stream " + name + " at " + ep->amqp_host + ":" +
          std::to_string(ep->amqp_port),
      static_cast<int32_t>(ps->size()),
      [p, name](int32_t part, std::string_view v) { return p->publish(name, part, v); },
      [p] { return p->flush(std::chrono::seconds{30}); }, [p] { return p->confirmed(); }};
}

caf::expected<sink> kinesis_sink(const std::string& name, const std::string& endpoint,
                                 int32_t create) {
  auto ep = core::stream::parse_kinesis_endpoint(
      endpoint.empty() ? std::string{"kinesis.us-east-1.amazonaws.com"} : endpoint,
      [](const std::string& k) -> std::optional<std::string> {
        if (const char* v = std::getenv(k.c_str())) return std::string{v};
        return std::nullopt;
      });
  if (!ep) return ep.error();
  auto producer = std::make_shared<adapters::kinesis_producer>(*ep);
  if (create > 0)
    if (auto err = producer->create_stream(name, create)) return err;
  auto shards = producer->shards(name);
  if (!shards) return shards.error();
  int32_t open = 0;
  for (const auto& s : *shards) open += s.closed ? 0 : 1;
  // Events are written in PutRecords calls of up to 500, at least every 100 ms.
  struct buffer {
    std::vector<std::pair<std::string, std::string>> records;
    std::chrono::steady_clock::time_point first;
    uint64_t written = 0;
  };
  auto buf = std::make_shared<buffer>();
  auto flush = [producer, buf, name]() -> caf::error {
    if (buf->records.empty()) return caf::none;
    if (auto err = producer->put(name, buf->records)) return err;
    buf->written += buf->records.size();
    buf->records.clear();
    return caf::none;
  };
  return sink{
      "Kinesis stream " + name + " at " + ep->url, std::max(open, 1),
      [buf, flush](int32_t part, std::string_view v) -> caf::error {
        if (buf->records.empty()) buf->first = std::chrono::steady_clock::now();
        buf->records.emplace_back("key-" + std::to_string(part), std::string{v});
        if (buf->records.size() >= 500 || std::chrono::steady_clock::now() - buf->first >
                                              std::chrono::milliseconds{100})
          return flush();
        return caf::none;
      },
      flush, [buf] { return buf->written; }};
}

}  // namespace

int run_generate(const std::vector<std::string>& args) {
  if (wants_help(args)) {
    std::cout << usage;
    return 0;
  }
  auto flags = parse_flags(args);
  if (!flags) return fail(flags.error());
  std::string topic, bootstrap, bootstrap_file = "var/kafka.bootstrap", run;
  std::string super_stream, rabbit_uri, amqp, kinesis_stream, kinesis_endpoint;
  int64_t rate = 100, count = 0, create_partitions = 0;
  uint64_t seed = std::random_device{}();
  for (const auto& [k, v] : *flags) {
    if (k == "topic") {
      topic = v;
    } else if (k == "bootstrap") {
      bootstrap = v;
    } else if (k == "bootstrap-file") {
      bootstrap_file = v;
    } else if (k == "rate" || k == "count" || k == "seed") {
      auto n = flag_number(k, v, 0, INT64_MAX);
      if (!n) return fail(n.error());
      if (k == "rate")
        rate = *n;
      else if (k == "count")
        count = *n;
      else
        seed = static_cast<uint64_t>(*n);
    } else if (k == "run") {
      run = v;
    } else if (k == "super-stream") {
      super_stream = v;
    } else if (k == "rabbit") {
      rabbit_uri = v;
    } else if (k == "amqp") {
      amqp = v;
    } else if (k == "stream") {
      kinesis_stream = v;
    } else if (k == "kinesis") {
      kinesis_endpoint = v;
    } else if (k == "partitions" || k == "shards") {
      auto n = flag_number(k, v, 1, 10000);
      if (!n) return fail(n.error());
      create_partitions = *n;
    } else {
      return fail(
          core::make_error(core::errc::invalid_input, "unknown option '" + k + "'"));
    }
  }
  if (!topic.empty() + !super_stream.empty() + !kinesis_stream.empty() != 1)
    return fail(
        core::make_error(core::errc::invalid_input,
                         "one of --topic, --super-stream and --stream is required"));
  if (run.empty()) {
    std::mt19937_64 r{seed};
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(r()));
    run = buf;
  }
  auto out = !topic.empty() ? kafka_sink(topic, bootstrap, bootstrap_file)
             : !super_stream.empty()
                 ? rabbit_sink(super_stream, rabbit_uri, amqp,
                               static_cast<int32_t>(create_partitions))
                 : kinesis_sink(kinesis_stream, kinesis_endpoint,
                                static_cast<int32_t>(create_partitions));
  if (!out) return fail(out.error());
  auto& sink = *out;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cerr << "generating to " << sink.name << " (" << sink.partitions
            << " partitions), run " << run << ", rate "
            << (rate ? std::to_string(rate) + "/s" : "unlimited") << std::endl;
  core::event_generator gen{run, seed};
  auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  std::string event;
  int64_t sent = 0;
  while (!stop_requested && (count == 0 || sent < count)) {
    if (rate > 0) {
      // Pace to the rate: event k is due at start + k/rate.
      auto due = start + std::chrono::microseconds{sent * 1000000 / rate};
      if (due > std::chrono::steady_clock::now()) std::this_thread::sleep_until(due);
    }
    event.clear();
    gen.next(event, core::utc_now());
    auto partition = static_cast<int32_t>(sent % sink.partitions);
    if (auto err = sink.send(partition, event)) return fail(err);
    ++sent;
    auto now = std::chrono::steady_clock::now();
    if (now - last_report > std::chrono::seconds{5}) {
      auto secs = std::chrono::duration<double>(now - start).count();
      std::cerr << "generated " << sent << " events ("
                << static_cast<int64_t>(sent / secs) << "/s)" << std::endl;
      last_report = now;
    }
  }
  if (auto err = sink.flush()) return fail(err);
  auto delivered = sink.delivered();
  std::cerr << "generated " << sent << " events, run " << run << ", " << delivered
            << " delivered" << std::endl;
  return delivered == static_cast<uint64_t>(sent) ? 0 : 1;
}

}  // namespace sv::app
