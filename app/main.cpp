// streamvisor — streaming-ingestion supervisors with Druid's API.
//
//   streamvisor serve [options]     run a node (HTTP API, supervisors, metadata)
//   streamvisor kafka-dev           a stand-alone embedded Kafka
//   streamvisor generate            wiki-edit-like events to a topic
//   streamvisor help                list the commands

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: streamvisor <command> [options]\n\n"
         "commands:\n"
         "  serve      run a node: the supervisor API on HTTP, supervisors, metadata "
         "store\n"
         "  help       this text; `streamvisor <command> --help` for a command's "
         "options\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args{argv + 1, argv + argc};
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  auto cmd = args[0];
  args.erase(args.begin());
  if (cmd == "serve") return sv::app::run_serve(args);
  if (cmd == "kafka-dev") return sv::app::run_kafka_dev(args);
  if (cmd == "generate") return sv::app::run_generate(args);
  std::cerr << "streamvisor: unknown command '" << cmd << "'\n\n";
  usage(std::cerr);
  return 2;
}
