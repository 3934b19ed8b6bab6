#pragma once
// Access to files under tests/data for tests.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace sv::test {

inline std::string data_path(const std::string& rel) {
  return std::string{SV_TEST_DATA_DIR} + "/" + rel;
}

inline std::string read_data(const std::string& rel) {
  std::ifstream in{data_path(rel)};
  if (!in) throw std::runtime_error("missing test data file " + rel);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace sv::test
