#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/identity.hpp"
#include "app/security_options.hpp"
#include "app/node.hpp"
#include "core/errc.hpp"

namespace sv::app {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

// The first SIGTERM/SIGINT starts a graceful stop; a second one exits at once.
void on_signal(int) {
  if (stop_requested) _exit(130);
  stop_requested = 1;
}

// Whatever happens during the stop, the process is gone when the grace
// period is over (at least a few seconds, for a stop without grace).
void start_watchdog(int64_t grace_ms) {
  auto limit = std::chrono::milliseconds{std::max<int64_t>(grace_ms, 5000)};
  std::thread{[limit] {
    std::this_thread::sleep_for(limit);
    spdlog::error("the stop took longer than {} ms; exiting now", limit.count());
    spdlog::shutdown();
    std::_Exit(1);
  }}.detach();
}

// Every HTTP connection, task and store connection is a file descriptor:
// the soft limit goes up to the hard one, and the connection limit stays
// below it with room for the rest.
void raise_file_limit(serve_options& opts) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  auto room = rl.rlim_cur > 1024 ? static_cast<int64_t>(rl.rlim_cur) - 512
                                 : static_cast<int64_t>(rl.rlim_cur) / 2;
  if (opts.http_max_connections > room) {
    spdlog::warn("open files are limited to {}: at most {} HTTP connections", rl.rlim_cur,
                 room);
    opts.http_max_connections = static_cast<int32_t>(room);
  }
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
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  raise_file_limit(*opts);
  auto node = start_node(*opts);
  if (!node) {
    spdlog::critical("cannot start: {}", core::error_message(node.error()));
    return 1;
  }
  auto host =
      opts->listen_host == "0.0.0.0" ? std::string{"127.0.0.1"} : opts->listen_host;
  spdlog::info("metadata store: {}", mask_password(opts->metadata_uri));
  spdlog::info(
      "default Kafka: {}{}", (*node)->kafka_bootstrap(),
      opts->kafka_bootstrap.empty() ? " (embedded; specs may use \"embedded\")" : "");
  spdlog::info("API authentication: {}", auth_required(*opts)
                                             ? "on (docs/security.md)"
                                             : "off (loopback single node)");
  std::cout << "streamvisor is serving "
            << (opts->http_tls_cert.empty() ? "http://" : "https://") << host << ":" << (*node)->port()
            << "/druid/indexer/v1/supervisor" << std::endl;
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds{100});
  spdlog::info(
      "stopping: reading tasks publish what they read, at most {} ms (a second signal "
      "stops at once)",
      opts->graceful_shutdown_timeout_ms);
  start_watchdog(opts->graceful_shutdown_timeout_ms);
  if (!(*node)->stop()) {
    spdlog::shutdown();
    std::_Exit(1);
  }
  node->reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace sv::app
