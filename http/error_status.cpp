#include "http/error_status.hpp"

#include <caf/atom.hpp>
#include <caf/sec.hpp>

#include "adapters/errc.hpp"
#include "core/errc.hpp"
#include "core/json.hpp"

namespace sv::http {

int status_of(const caf::error& err) {
  using core::errc;
  if (err.category() == core::core_error_category()) {
    switch (static_cast<errc>(err.code())) {
      case errc::invalid_input:
        return 400;
      case errc::not_found:
        return 404;
      case errc::conflict:
        return 400;  // Druid answers 400 for "already suspended"
      case errc::unsupported:
        return 501;
      case errc::unavailable:
        return 503;
      case errc::timeout:
        return 504;
      case errc::internal:
      case errc::none:
        return 500;
    }
  }
  if (err.category() == adapters::adapters_error_category()) {
    switch (static_cast<adapters::errc>(err.code())) {
      case adapters::errc::store_unavailable:
      case adapters::errc::store_busy:
        return 503;
      default:
        return 500;
    }
  }
  if (err.category() == caf::atom("system") &&
      static_cast<caf::sec>(err.code()) == caf::sec::request_timeout)
    return 504;
  return 500;
}

response error_response(int status, const std::string& message) {
  return response{status, core::json::make_object({{"error", message}}).dump()};
}

response error_response(const caf::error& err) {
  return error_response(status_of(err), core::error_message(err));
}

}  // namespace sv::http
