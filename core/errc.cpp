#include "core/errc.hpp"

#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace sv::core {

std::string_view to_string(errc x) {
  switch (x) {
    case errc::none:
      return "none";
    case errc::invalid_input:
      return "invalid_input";
    case errc::not_found:
      return "not_found";
    case errc::conflict:
      return "conflict";
    case errc::unsupported:
      return "unsupported";
    case errc::unavailable:
      return "unavailable";
    case errc::internal:
      return "internal";
    case errc::timeout:
      return "timeout";
  }
  return "unknown";
}

caf::atom_value core_error_category() {
  return caf::atom("sv_core");
}

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), core_error_category(),
                    caf::make_message(std::move(message))};
}

bool is(const caf::error& err, errc code) {
  return err && err.category() == core_error_category() &&
         err.code() == static_cast<uint8_t>(code);
}

std::string error_message(const caf::error& err) {
  if (!err) return {};
  const auto& ctx = err.context();
  if (ctx.match_elements<std::string>()) return ctx.get_as<std::string>(0);
  // Errors with structured context carry their message first.
  if (ctx.size() > 0 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  if (err.category() == caf::atom("system")) {
    std::string out = caf::to_string(static_cast<caf::sec>(err.code()));
    if (!ctx.empty()) out += ": " + caf::to_string(ctx);
    return out;
  }
  std::string out = caf::to_string(err.category());
  out += " error ";
  out += std::to_string(err.code());
  if (!ctx.empty()) {
    out += ": ";
    out += caf::to_string(ctx);
  }
  return out;
}

}  // namespace sv::core
