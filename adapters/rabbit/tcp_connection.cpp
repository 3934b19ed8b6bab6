#include "adapters/rabbit/tcp_connection.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "adapters/errc.hpp"

namespace sv::adapters::rabbit {

namespace {

int wait_for(pollfd& p, tcp_connection::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    return rc;
  }
}

}  // namespace

caf::error tcp_connection::unreachable(const std::string& what) const {
  return make_error(errc::stream_unreachable, where_ + ": " + what);
}

caf::error tcp_connection::open(const std::string& host, uint16_t port,
                                time_point deadline) {
  close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0)
    return unreachable(std::string{"cannot resolve: "} + ::gai_strerror(rc));
  std::string last_error = "no address";
  for (auto* a = res; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (wait_for(p, deadline) > 0) {
        int so = 0;
        socklen_t len = sizeof so;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        if (so == 0) {
          fd_ = fd;
          break;
        }
        last_error = std::strerror(so);
      } else {
        last_error = "connect timed out";
      }
    } else {
      last_error = std::strerror(errno);
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (fd_ < 0) return unreachable(last_error);
  return {};
}

void tcp_connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

caf::error tcp_connection::send_all(const std::string& data, time_point deadline) {
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return unreachable(std::string{"send: "} + std::strerror(errno));
    pollfd p{fd_, POLLOUT, 0};
    if (wait_for(p, deadline) <= 0) return unreachable("send timed out");
  }
  return {};
}

caf::error tcp_connection::read_exact(char* out, size_t n, time_point deadline,
                                      bool* idle) {
  size_t done = 0;
  while (done < n) {
    auto r = ::recv(fd_, out + done, n - done, 0);
    if (r > 0) {
      done += static_cast<size_t>(r);
      continue;
    }
    if (r == 0) return unreachable("the server closed the connection");
    if (errno != EAGAIN && errno != EINTR)
      return unreachable(std::string{"recv: "} + std::strerror(errno));
    pollfd p{fd_, POLLIN, 0};
    if (wait_for(p, deadline) <= 0) {
      if (idle && done == 0) {
        *idle = true;
        return {};
      }
      return unreachable("timed out waiting for the server");
    }
  }
  return {};
}

}  // namespace sv::adapters::rabbit
