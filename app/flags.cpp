#include "app/flags.hpp"

#include <charconv>

#include "core/errc.hpp"

namespace sv::app {

namespace {
caf::error bad(const std::string& what) {
  return core::make_error(core::errc::invalid_input, what);
}
}  // namespace

caf::expected<flag_list> parse_flags(const std::vector<std::string>& args) {
  flag_list flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.rfind("--", 0) != 0) return bad("unexpected argument '" + a + "'");
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      flags.emplace_back(a.substr(2, eq - 2), a.substr(eq + 1));
    } else {
      if (i + 1 >= args.size()) return bad("option " + a + " needs a value");
      flags.emplace_back(a.substr(2), args[++i]);
    }
  }
  return flags;
}

caf::expected<int64_t> flag_number(const std::string& key, const std::string& value,
                                   int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc{} || p != value.data() + value.size() || v < lo || v > hi)
    return bad(key + ": expected a number in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "], got '" + value + "'");
  return v;
}

caf::expected<std::pair<std::string, uint16_t>> flag_host_port(const std::string& key,
                                                               const std::string& value) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos)
    return bad(key + ": expected HOST:PORT, got '" + value + "'");
  auto port = flag_number(key, value.substr(colon + 1), 0, 65535);
  if (!port) return port.error();
  return std::pair{value.substr(0, colon), static_cast<uint16_t>(*port)};
}

bool wants_help(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

}  // namespace sv::app
