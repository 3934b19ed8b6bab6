// streamvisor — streaming-ingestion supervisors with Druid's API.
//
//   streamvisor serve [options]        run a node (HTTP API, supervisors, metadata)
//   streamvisor kafka-dev [options]    a stand-alone embedded Kafka
//   streamvisor generate [options]     wiki-edit-like events to a topic
//   streamvisor dump-segment FILE      a segment's rows or header
//   streamvisor verify [options]       every record of a stream published once
//   streamvisor help                   list the commands

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: streamvisor <command> [options]\n\n"
         "commands:\n"
         "  serve         run a node: supervisor API on HTTP, supervisors, metadata "
         "store\n"
         "  kafka-dev     run an embedded Kafka (mock cluster) with a fault-injection "
         "API\n"
         "  generate      produce wiki-edit-like JSON events to Kafka, RabbitMQ or "
         "Kinesis\n"
         "  dump-segment  print a segment file's rows as JSON lines (or its header)\n"
         "  verify        check a supervisor's datasource: every record exactly once\n"
         "  help          this text; `streamvisor <command> --help` for its options\n";
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that hung up makes a write fail (EPIPE), not the process die.
  std::signal(SIGPIPE, SIG_IGN);
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
  if (cmd == "dump-segment") return sv::app::run_dump_segment(args);
  if (cmd == "verify") return sv::app::run_verify(args);
  std::cerr << "streamvisor: unknown command '" << cmd << "'\n\n";
  usage(std::cerr);
  return 2;
}
