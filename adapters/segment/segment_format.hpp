#pragma once
// Internal to adapters/segment: what the segment writer and reader share (the
// file's magic words, error helpers, raw bytes of typed arrays).

#include <cstring>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "adapters/errc.hpp"

namespace sv::adapters::segment_format {

constexpr char magic[] = "SVSEG001";
constexpr char end_magic[] = "SVSEGEND";

inline caf::error io(const std::string& what) {
  return make_error(errc::io_error, what);
}
inline caf::error corrupt(const std::string& path, const std::string& what) {
  return make_error(errc::corrupt_record, "segment " + path + ": " + what);
}

template <class T>
std::string bytes_of(const std::vector<T>& v) {
  return std::string{reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}

template <class T>
std::vector<T> vector_of(const std::string& b) {
  std::vector<T> v(b.size() / sizeof(T));
  std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

}  // namespace sv::adapters::segment_format
