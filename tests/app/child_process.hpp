#pragma once
// A child process for process-level tests: its stdout on a pipe (read it
// line by line) or in a file (for chatty processes such as a node); SIGTERM
// and reap on destruction.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

extern char** environ;

namespace sv::test {

struct child {
  pid_t pid = -1;
  FILE* out = nullptr;

  /// `log`: a file for stdout and stderr instead of the pipe.
  explicit child(std::vector<std::string> argv, const std::string& log = {}) {
    int fds[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (log.empty()) {
      REQUIRE(::pipe(fds) == 0);
      posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
      posix_spawn_file_actions_addclose(&fa, fds[0]);
    } else {
      posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0644);
      posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    REQUIRE(posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    if (log.empty()) {
      ::close(fds[1]);
      out = ::fdopen(fds[0], "r");
    }
  }

  std::string line() {
    char buf[512];
    if (!out || !std::fgets(buf, sizeof buf, out)) return {};
    std::string s{buf};
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  /// Waits for the exit; its status (or -1 when killed by a signal).
  int wait() {
    if (pid < 0) return -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  /// Waits up to `limit` for the exit; false (still running) when it did not.
  bool wait_for(std::chrono::milliseconds limit, int& exit_status) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return true;
      }
      ::usleep(20000);
    }
    return false;
  }

  int stop() {
    if (pid < 0) return -1;
    ::kill(pid, SIGTERM);
    return wait();
  }

  ~child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      wait();
    }
    if (out) std::fclose(out);
  }
};

/// The HTTP port a `streamvisor serve` writing to `log` says it serves on,
/// polled until `limit`; 0 when it never did.
inline int serving_port(const std::string& log, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in{log};
    std::string line;
    while (std::getline(in, line)) {
      auto at = line.find("is serving http://127.0.0.1:");
      if (at != std::string::npos) return std::stoi(line.substr(at + 28));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return 0;
}

}  // namespace sv::test
