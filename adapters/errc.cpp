#include "adapters/errc.hpp"

#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace sv::adapters {

std::string_view to_string(errc x) {
  switch (x) {
    case errc::none: return "none";
    case errc::store_unavailable: return "store_unavailable";
    case errc::store_busy: return "store_busy";
    case errc::store_failed: return "store_failed";
    case errc::corrupt_record: return "corrupt_record";
    case errc::bad_uri: return "bad_uri";
    case errc::io_error: return "io_error";
  }
  return "unknown";
}

caf::atom_value adapters_error_category() { return caf::atom("sv_adapt"); }

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), adapters_error_category(),
                    caf::make_message(std::move(message))};
}

bool is(const caf::error& err, errc code) {
  return err && err.category() == adapters_error_category() &&
         err.code() == static_cast<uint8_t>(code);
}

}  // namespace sv::adapters
