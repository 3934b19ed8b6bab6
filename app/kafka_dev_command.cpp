// streamvisor kafka-dev: a stand-alone embedded Kafka (librdkafka's mock
// cluster) on loopback, with a control API for topics and fault injection.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "adapters/kafka/mock_cluster.hpp"
#include "app/commands.hpp"
#include "app/flags.hpp"
#include "core/errc.hpp"
#include "http/kafka_control_routes.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace sv::app {

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) {
  stop_requested = 1;
}

const char* usage = R"(usage: streamvisor kafka-dev [options]

Runs an embedded Kafka (librdkafka's mock cluster) on loopback until stopped.
Any Kafka client can use it; its address is printed and written to a file.

  --brokers N             number of brokers (default 1)
  --partitions N          partitions of topics created without a count (default 4)
  --topic NAME[:N]        create a topic at start (repeatable)
  --bootstrap-file PATH   write the bootstrap address here (default var/kafka.bootstrap)
  --control HOST:PORT     control API address (default 127.0.0.1:0 = any free port)

Control API (JSON): GET /, POST /topics {"name","partitions"},
POST /brokers/{id|all}/down|up, POST /brokers/{id|all}/rtt {"ms"},
POST /errors {"apiKey","errors":[...]}, POST /topics/{t}/partitions/{p}/leader {"broker"}.
See docs/embedded-kafka.md.
)";

int fail(const caf::error& err) {
  std::cerr << "streamvisor kafka-dev: " << core::error_message(err) << "\n";
  return 2;
}

}  // namespace

int run_kafka_dev(const std::vector<std::string>& args) {
  if (wants_help(args)) {
    std::cout << usage;
    return 0;
  }
  auto flags = parse_flags(args);
  if (!flags) return fail(flags.error());
  int brokers = 1, partitions = 4;
  std::string bootstrap_file = "var/kafka.bootstrap";
  std::pair<std::string, uint16_t> control{"127.0.0.1", 0};
  std::vector<std::pair<std::string, int>> topics;
  for (const auto& [k, v] : *flags) {
    if (k == "brokers" || k == "partitions") {
      auto n = flag_number(k, v, 1, k == "brokers" ? 16 : 10000);
      if (!n) return fail(n.error());
      (k == "brokers" ? brokers : partitions) = static_cast<int>(*n);
    } else if (k == "topic") {
      auto colon = v.rfind(':');
      if (colon == std::string::npos) {
        topics.emplace_back(v, 0);
      } else {
        auto n = flag_number(k, v.substr(colon + 1), 1, 10000);
        if (!n) return fail(n.error());
        topics.emplace_back(v.substr(0, colon), static_cast<int>(*n));
      }
    } else if (k == "bootstrap-file") {
      bootstrap_file = v;
    } else if (k == "control") {
      auto hp = flag_host_port(k, v);
      if (!hp) return fail(hp.error());
      control = *hp;
    } else {
      return fail(
          core::make_error(core::errc::invalid_input, "unknown option '" + k + "'"));
    }
  }
  auto cluster = adapters::start_mock_cluster(brokers);
  if (!cluster) return fail(cluster.error());
  std::shared_ptr<adapters::mock_cluster> mock{std::move(*cluster)};
  for (auto& [name, n] : topics)
    if (auto err = mock->create_topic(name, n > 0 ? n : partitions)) return fail(err);
  auto r = std::make_shared<http::router>();
  http::add_kafka_control_routes(*r, mock, "");
  // Topics created over the API without a count get --partitions.
  auto server = http::start_server(
      control.first, control.second,
      [r, partitions](const http::request& req) {
        if (req.method == "POST" && req.path == "/topics" && !req.body.empty() &&
            req.body.find("\"partitions\"") == std::string::npos) {
          auto copy = req;
          auto brace = copy.body.rfind('}');
          copy.body.insert(brace, ",\"partitions\":" + std::to_string(partitions));
          return r->dispatch(copy);
        }
        return r->dispatch(req);
      },
      http::server_limits{.threads = 4});
  if (!server) return fail(server.error());
  if (auto dir = std::filesystem::path{bootstrap_file}.parent_path(); !dir.empty())
    std::filesystem::create_directories(dir);
  {
    std::ofstream out{bootstrap_file};
    out << mock->bootstrap() << "\n";
    if (!out)
      return fail(
          core::make_error(core::errc::unavailable, "cannot write " + bootstrap_file));
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cout << "bootstrap: " << mock->bootstrap() << "\n"
            << "control: http://" << control.first << ":" << (*server)->port() << "\n"
            << "bootstrap written to " << bootstrap_file << std::endl;
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds{100});
  (*server)->stop();
  return 0;
}

}  // namespace sv::app
