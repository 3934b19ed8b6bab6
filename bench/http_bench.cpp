// HTTP API under hostile connections: the latency of a status request
// (GET /druid/indexer/v1/supervisor, answered by the manager actor) on a real
// node, first on a quiet server (the baseline, same run), then with 1,000
// idle TCP connections open, then with 100 slowloris connections added
// (a header byte every second, never finishing).
//
//   http_bench [--idle N] [--slow N] [--requests N] [--port P]
//
// With --port it measures a node already serving on 127.0.0.1:P instead of
// starting one (to compare builds).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "app/node.hpp"
#include "core/errc.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One GET on a fresh connection; milliseconds until the whole answer, or -1.
double timed_get(uint16_t port, const std::string& path) {
  auto t0 = clock_type::now();
  int fd = connect_to(port);
  if (fd < 0) return -1;
  std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return -1;
  }
  char buf[4096];
  std::string got;
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 30000) > 0) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (got.rfind("HTTP/1.1 200", 0) != 0) return -1;
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

struct figures {
  double p50 = 0, p99 = 0, max = 0;
  int failed = 0;
};

figures measure(uint16_t port, int requests) {
  std::vector<double> ms;
  figures f;
  for (int i = 0; i < requests; ++i) {
    double t = timed_get(port, "/druid/indexer/v1/supervisor");
    if (t < 0)
      ++f.failed;
    else
      ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    f.p50 = ms[ms.size() / 2];
    f.p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    f.max = ms.back();
  }
  return f;
}

void print(const char* phase, const figures& f, const figures& base) {
  std::printf(
      "%-34s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  failed %3d  p99/baseline %6.1f\n",
      phase, f.p50, f.p99, f.max, f.failed, base.p99 > 0 ? f.p99 / base.p99 : 0.0);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int idle = 1000, slow = 100, requests = 300, external = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--idle") idle = v;
    if (k == "--slow") slow = v;
    if (k == "--requests") requests = v;
    if (k == "--port") external = v;
  }
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);

  auto dir = std::filesystem::temp_directory_path() /
             ("sv_http_bench_" + std::to_string(getpid()));
  std::unique_ptr<sv::app::node> node;
  uint16_t port = static_cast<uint16_t>(external);
  if (!external) {
    std::filesystem::create_directories(dir);
    sv::app::serve_options opts;
    opts.listen_port = 0;
    opts.data_dir = dir.string();
    opts.metadata_uri = "sqlite:" + (dir / "metadata.db").string();
    opts.graceful_shutdown_timeout_ms = 0;
    auto started = sv::app::start_node(opts);
    if (!started) {
      std::fprintf(stderr, "cannot start a node: %s\n",
                   sv::core::error_message(started.error()).c_str());
      return 1;
    }
    node = std::move(*started);
    port = node->port();
  }
  timed_get(port, "/druid/indexer/v1/supervisor");  // warm-up

  auto base = measure(port, requests);
  print("quiet server (baseline)", base, base);

  std::vector<int> idle_fds;
  for (int i = 0; i < idle; ++i) {
    int fd = connect_to(port);
    if (fd >= 0) idle_fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds{500});
  char label[64];
  std::snprintf(label, sizeof label, "%zu idle connections", idle_fds.size());
  print(label, measure(port, requests), base);

  // Slowloris: a request line, then one header byte a second, never done.
  std::atomic<bool> stop{false};
  std::vector<int> slow_fds;
  for (int i = 0; i < slow; ++i) {
    int fd = connect_to(port);
    if (fd < 0) continue;
    const char* start =
        "GET /druid/indexer/v1/supervisor HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
    ::send(fd, start, std::strlen(start), MSG_NOSIGNAL);
    slow_fds.push_back(fd);
  }
  std::thread dribble{[&] {
    while (!stop) {
      for (int fd : slow_fds) ::send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      for (int i = 0; i < 10 && !stop; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  }};
  std::this_thread::sleep_for(std::chrono::seconds{2});
  std::snprintf(label, sizeof label, "+ %zu slowloris connections", slow_fds.size());
  print(label, measure(port, requests), base);
  stop = true;
  dribble.join();
  for (int fd : idle_fds) ::close(fd);
  for (int fd : slow_fds) ::close(fd);
  if (node) {
    node->stop();
    node.reset();
    std::filesystem::remove_all(dir);
  }
  return 0;
}
