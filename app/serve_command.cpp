#include <csignal>
#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/node.hpp"
#include "core/errc.hpp"

namespace sv::app {

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) {
  stop_requested = 1;
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << serve_usage();
      return 0;
    }
  }
  auto opts = parse_serve_options(args);
  if (!opts) {
    std::cerr << "streamvisor serve: " << core::error_message(opts.error()) << "\n\n"
              << serve_usage();
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  auto node = start_node(*opts);
  if (!node) {
    spdlog::critical("cannot start: {}", core::error_message(node.error()));
    return 1;
  }
  auto host =
      opts->listen_host == "0.0.0.0" ? std::string{"127.0.0.1"} : opts->listen_host;
  spdlog::info("metadata store: {}", opts->metadata_uri);
  spdlog::info(
      "default Kafka: {}{}", (*node)->kafka_bootstrap(),
      opts->kafka_bootstrap.empty() ? " (embedded; specs may use \"embedded\")" : "");
  std::cout << "streamvisor is serving http://" << host << ":" << (*node)->port()
            << "/druid/indexer/v1/supervisor" << std::endl;
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds{100});
  spdlog::info("shutting down");
  (*node)->stop();
  return 0;
}

}  // namespace sv::app
