// streamvisor dump-segment: prints a segment file's rows as JSON lines, or its
// header (like Druid's DumpSegment tool).

#include <iostream>

#include "adapters/segment/segment_file.hpp"
#include "app/commands.hpp"
#include "app/flags.hpp"
#include "core/errc.hpp"

namespace sv::app {

namespace {

const char* usage = R"(usage: streamvisor dump-segment FILE [--dump rows|metadata]

  --dump rows       every row as one JSON object per line (default)
  --dump metadata   the segment header: interval, row count, columns
)";

}  // namespace

int run_dump_segment(const std::vector<std::string>& args) {
  if (args.empty() || wants_help(args)) {
    (args.empty() ? std::cerr : std::cout) << usage;
    return args.empty() ? 2 : 0;
  }
  std::string file = args[0];
  auto flags = parse_flags({args.begin() + 1, args.end()});
  if (!flags) {
    std::cerr << "streamvisor dump-segment: " << core::error_message(flags.error())
              << "\n";
    return 2;
  }
  std::string dump = "rows";
  for (const auto& [k, v] : *flags) {
    if (k == "dump" && (v == "rows" || v == "metadata")) {
      dump = v;
    } else {
      std::cerr << "streamvisor dump-segment: bad option --" << k << " " << v << "\n"
                << usage;
      return 2;
    }
  }
  if (dump == "metadata") {
    auto header = adapters::read_segment_header(file);
    if (!header) {
      std::cerr << "streamvisor dump-segment: " << core::error_message(header.error())
                << "\n";
      return 1;
    }
    std::cout << header->dump_pretty() << "\n";
    return 0;
  }
  auto seg = adapters::read_segment(file);
  if (!seg) {
    std::cerr << "streamvisor dump-segment: " << core::error_message(seg.error()) << "\n";
    return 1;
  }
  for (size_t r = 0; r < seg->rows(); ++r) std::cout << seg->row_json(r).dump() << "\n";
  return 0;
}

}  // namespace sv::app
