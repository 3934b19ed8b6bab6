#pragma once
// The streamvisor subcommands; each returns the process exit code.

#include <string>
#include <vector>

namespace sv::app {

/// `streamvisor serve`: runs a node until SIGINT/SIGTERM.
int run_serve(const std::vector<std::string>& args);

/// `streamvisor kafka-dev`: a stand-alone embedded Kafka with a control API.
int run_kafka_dev(const std::vector<std::string>& args);

/// `streamvisor generate`: wiki-edit-like events to a Kafka topic.
int run_generate(const std::vector<std::string>& args);

/// `streamvisor dump-segment FILE`: rows as JSON lines, or the header.
int run_dump_segment(const std::vector<std::string>& args);

/// `streamvisor verify`: every record of a supervisor's stream published once.
int run_verify(const std::vector<std::string>& args);

}  // namespace sv::app
