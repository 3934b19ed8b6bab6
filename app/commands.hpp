#pragma once
// The streamvisor subcommands; each returns the process exit code.

#include <string>
#include <vector>

namespace sv::app {

/// `streamvisor serve`: runs a node until SIGINT/SIGTERM.
int run_serve(const std::vector<std::string>& args);

}  // namespace sv::app
