#pragma once
// Implementations of input_parser (internal to adapters/formats).

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "adapters/errc.hpp"
#include "adapters/formats/input_parser.hpp"

namespace sv::adapters {

std::unique_ptr<input_parser> make_json_parser();

struct delimited_options {
  char delimiter = ',';
  std::string list_delimiter = "\x01";  ///< Druid's default: Ctrl-A
  std::vector<std::string> columns;
  bool find_columns_from_header = false;
  int32_t skip_header_rows = 0;
  bool quotes = true;  ///< CSV quoting ("a,b" and "" escapes); off for TSV
};

std::unique_ptr<input_parser> make_delimited_parser(delimited_options opts);

}  // namespace sv::adapters
