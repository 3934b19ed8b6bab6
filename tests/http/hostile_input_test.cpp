// Hostile input against a real node: bodies nested far deeper than any spec
// are refused with a 400 naming the limit, on every endpoint that reads JSON,
// and the node keeps serving.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include "tests/http/node_fixture.hpp"

using namespace sv;

namespace {

// About 100 KB of nesting: 50,000 levels.
std::string deep_arrays() {
  return std::string(50000, '[') + std::string(50000, ']');
}
std::string deep_objects() {
  std::string s;
  for (int i = 0; i < 25000; ++i) s += R"({"a":)";
  return s + "1" + std::string(25000, '}');
}

int open_connection(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// True once the server closed `fd` (EOF or reset).
bool closed_by_server(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

// Sends `request` on a fresh connection and returns what comes back until the
// server closes (empty when it reset the connection).
std::string exchange(uint16_t port, const std::string& request) {
  int fd = open_connection(port);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 10000) > 0) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

}  // namespace

TEST_CASE_FIXTURE(test::node_fixture,
                  "a thousand idle and a hundred slow connections leave the API "
                  "answering; slow headers are cut off; oversized headers and bodies "
                  "are refused") {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);
  REQUIRE(rl.rlim_cur >= 2400);
  mutable_options().http_header_timeout_s = 2;
  mutable_options().http_max_body_bytes = 1 << 20;
  restart();
  std::vector<int> fds;
  for (int i = 0; i < 1000; ++i) fds.push_back(open_connection(port()));
  std::vector<int> slow;
  for (int i = 0; i < 100; ++i) {
    int fd = open_connection(port());
    std::string start = "GET /status/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    REQUIRE(::send(fd, start.data(), start.size(), MSG_NOSIGNAL) > 0);
    slow.push_back(fd);
  }
  for (int i = 0; i < 50; ++i) {
    auto r = get("/druid/indexer/v1/supervisor");
    REQUIRE(r.status == 200);
  }
  // The slow ones keep sending (so they are never idle) and are still cut
  // off once their headers are overdue.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  size_t cut = 0;
  while (cut < slow.size() && std::chrono::steady_clock::now() < deadline) {
    cut = 0;
    for (int fd : slow) {
      if (closed_by_server(fd)) {
        ++cut;
        continue;
      }
      ::send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
  CHECK(cut == slow.size());
  CHECK(get("/status/health").status == 200);

  // Headers over the limit are not served: 431, or (when the server closes
  // before reading all of them, as TCP then resets) a closed connection.
  auto big = exchange(port(), "GET /status/health HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                  std::string(64 * 1024, 'h') + "\r\n\r\n");
  CHECK((big.rfind("HTTP/1.1 431", 0) == 0 || big.empty()));
  // A body over the limit is refused from its Content-Length, before it is sent.
  auto body =
      exchange(port(),
               "POST /druid/indexer/v1/supervisor HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
  CHECK(body.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(body.find("larger than 1048576 bytes") != std::string::npos);
  CHECK(get("/status/health").status == 200);
  for (int fd : fds) ::close(fd);
  for (int fd : slow) ::close(fd);
}

TEST_CASE_FIXTURE(test::node_fixture,
                  "bodies nested 50,000 levels deep get a 400 on every JSON endpoint "
                  "and the node keeps serving") {
  const char* endpoints[] = {
      "/druid/indexer/v1/supervisor",
      "/druid/indexer/v1/supervisor/any/resetOffsets",
      "/druid/indexer/v1/supervisor/any/taskGroups/handoff",
      "/streamvisor/v1/kafka/topics",
  };
  for (const char* path : endpoints) {
    for (const auto& body : {deep_arrays(), deep_objects()}) {
      CAPTURE(path);
      CAPTURE(body.substr(0, 8));
      auto r = post(path, body);
      CHECK(r.status == 400);
      CHECK(r.body.find("nested deeper than 1000 levels") != std::string::npos);
    }
  }
  auto alive = get("/druid/indexer/v1/supervisor");
  CHECK(alive.status == 200);
  CHECK(alive.body == "[]");
}
