#pragma once
// Command-line flags shared by the subcommands: `--key value` or `--key=value`,
// in order, repeats allowed.

#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace sv::app {

using flag_list = std::vector<std::pair<std::string, std::string>>;

caf::expected<flag_list> parse_flags(const std::vector<std::string>& args);

/// Parses an integer flag value within [lo, hi].
caf::expected<int64_t> flag_number(const std::string& key, const std::string& value,
                                   int64_t lo, int64_t hi);

/// Splits "HOST:PORT".
caf::expected<std::pair<std::string, uint16_t>> flag_host_port(const std::string& key,
                                                               const std::string& value);

/// True if --help or -h is among the arguments.
bool wants_help(const std::vector<std::string>& args);

}  // namespace sv::app
