#pragma once
// This process's CPU time and /proc/self/status fields, for the benchmarks'
// "cores busy", "threads" and "rss" figures. No CAF, no project headers.

#include <sys/resource.h>

#include <cstring>
#include <fstream>
#include <string>

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

inline long rss_mb() {
  return status_field("VmRSS:") / 1024;
}
inline long threads_now() {
  return status_field("Threads:");
}

}  // namespace sv::bench
