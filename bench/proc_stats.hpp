#pragma once
// This process's CPU time (whole and per thread) and /proc/self/status
// fields, for the benchmarks' "cores busy", "threads" and "rss" figures. No
// CAF, no project headers.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace sv::bench {

/// User plus system CPU seconds of the whole process so far.
inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// The number after `field` (e.g. "VmRSS:" in kB, "Threads:") in /proc/self/status;
/// 0 if the line is missing.
inline long status_field(const char* field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  return 0;
}

// CPU seconds of each live thread, by thread id, with its name.
using thread_cpu = std::map<std::string, std::pair<std::string, double>>;
inline thread_cpu threads_cpu() {
  thread_cpu out;
  for (const auto& e : std::filesystem::directory_iterator{"/proc/self/task"}) {
    std::ifstream in{e.path() / "stat"};
    std::string stat;
    if (!std::getline(in, stat)) continue;  // the thread ended
    auto open = stat.find('('), close = stat.rfind(')');
    // Fields after the name (which may hold spaces): utime and stime are 12 and 13.
    std::istringstream rest{stat.substr(close + 2)};
    std::string f;
    for (int k = 0; k < 11 && rest >> f; ++k) {
    }
    double ut = 0, st = 0;
    rest >> ut >> st;
    out[e.path().filename().string()] = {stat.substr(open + 1, close - open - 1),
                                         (ut + st) / double(sysconf(_SC_CLK_TCK))};
  }
  return out;
}

// "name cpu-seconds, ..." of what each thread name used between two snapshots
// (threads born in between count from zero; threads that ended are not seen).
inline std::string cpu_by_name(const thread_cpu& before, const thread_cpu& after) {
  std::map<std::string, double> by;
  for (const auto& [tid, v] : after) {
    auto it = before.find(tid);
    by[v.first] += v.second - (it == before.end() ? 0.0 : it->second.second);
  }
  std::vector<std::pair<double, std::string>> sorted;
  for (const auto& [n, s] : by)
    if (s > 0.005) sorted.emplace_back(s, n);
  std::sort(sorted.rbegin(), sorted.rend());
  std::string out;
  char buf[128];
  for (const auto& [s, n] : sorted) {
    std::snprintf(buf, sizeof buf, "%s%s %.2f", out.empty() ? "" : ", ", n.c_str(), s);
    out += buf;
  }
  return out;
}

inline long rss_mb() {
  return status_field("VmRSS:") / 1024;
}
inline long threads_now() {
  return status_field("Threads:");
}

}  // namespace sv::bench
