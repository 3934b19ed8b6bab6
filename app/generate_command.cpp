// streamvisor generate: produces wiki-edit-like JSON events to a Kafka topic
// at a chosen rate (see core/event_generator.hpp for the event shape).

#include <csignal>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "adapters/kafka/kafka_producer.hpp"
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

Produces wiki-edit-like JSON events (about 330 bytes: timestamp, unique id, 10
dimensions, 5 numbers) round-robin over the topic's partitions.

  --topic TOPIC           topic to write (must exist)
  --bootstrap SERVERS     Kafka bootstrap servers
  --bootstrap-file PATH   read them from a file (default var/kafka.bootstrap)
  --rate N                events per second (default 100; 0 = as fast as possible)
  --count N               stop after N events (default 0 = until stopped)
  --run ID                id prefix of the events (default: random)
  --seed N                content seed (default: random)
)";

int fail(const caf::error& err) {
  std::cerr << "streamvisor generate: " << core::error_message(err) << "\n";
  return 2;
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
  int64_t rate = 100, count = 0;
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
    } else {
      return fail(
          core::make_error(core::errc::invalid_input, "unknown option '" + k + "'"));
    }
  }
  if (topic.empty())
    return fail(core::make_error(core::errc::invalid_input, "--topic is required"));
  if (bootstrap.empty()) {
    std::ifstream in{bootstrap_file};
    std::getline(in, bootstrap);
    if (bootstrap.empty())
      return fail(core::make_error(core::errc::invalid_input,
                                   "no --bootstrap and nothing in " + bootstrap_file));
  }
  if (run.empty()) {
    std::mt19937_64 r{seed};
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(r()));
    run = buf;
  }
  auto producer = adapters::open_kafka_producer(
      core::json::make_object({{"bootstrap.servers", bootstrap}}).as_object());
  if (!producer) return fail(producer.error());
  auto partitions = (*producer)->partition_count(topic, std::chrono::seconds{10});
  if (!partitions) return fail(partitions.error());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cerr << "generating to " << topic << " (" << *partitions << " partitions) at "
            << bootstrap << ", run " << run << ", rate "
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
    auto partition = static_cast<int32_t>(sent % *partitions);
    if (auto err = (*producer)->produce(topic, partition, {}, event)) return fail(err);
    ++sent;
    auto now = std::chrono::steady_clock::now();
    if (now - last_report > std::chrono::seconds{5}) {
      auto secs = std::chrono::duration<double>(now - start).count();
      std::cerr << "generated " << sent << " events ("
                << static_cast<int64_t>(sent / secs) << "/s)" << std::endl;
      last_report = now;
    }
  }
  if (auto err = (*producer)->flush(std::chrono::seconds{30})) return fail(err);
  std::cerr << "generated " << sent << " events, run " << run << ", "
            << (*producer)->delivered() << " delivered" << std::endl;
  return (*producer)->failed() == 0 ? 0 : 1;
}

}  // namespace sv::app
