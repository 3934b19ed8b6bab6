#include "adapters/errc.hpp"

#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace sv::adapters {

std::string_view to_string(errc x) {
  switch (x) {
    case errc::none:
      return "none";
    case errc::store_unavailable:
      return "store_unavailable";
    case errc::store_busy:
      return "store_busy";
    case errc::store_failed:
      return "store_failed";
    case errc::corrupt_record:
      return "corrupt_record";
    case errc::bad_uri:
      return "bad_uri";
    case errc::io_error:
      return "io_error";
    case errc::stream_unreachable:
      return "stream_unreachable";
    case errc::offset_out_of_range:
      return "offset_out_of_range";
    case errc::unknown_topic:
      return "unknown_topic";
    case errc::authorization_failed:
      return "authorization_failed";
    case errc::stream_config:
      return "stream_config";
    case errc::stream_failed:
      return "stream_failed";
    case errc::id_taken:
      return "id_taken";
    case errc::leadership_lost:
      return "leadership_lost";
    case errc::bad_credentials:
      return "bad_credentials";
    case errc::bad_query:
      return "bad_query";
    case errc::query_limit:
      return "query_limit";
  }
  return "unknown";
}

caf::atom_value adapters_error_category() {
  return caf::atom("sv_adapt");
}

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), adapters_error_category(),
                    caf::make_message(std::move(message))};
}

bool is(const caf::error& err, errc code) {
  return err && err.category() == adapters_error_category() &&
         err.code() == static_cast<uint8_t>(code);
}

caf::error make_out_of_range(const out_of_range_info& info, std::string message) {
  return caf::error{
      static_cast<uint8_t>(errc::offset_out_of_range), adapters_error_category(),
      caf::make_message(std::move(message), info.partition, info.requested.to_string(),
                        info.earliest.to_string(), info.latest.to_string())};
}

std::optional<out_of_range_info> out_of_range_details(const caf::error& err) {
  if (!is(err, errc::offset_out_of_range)) return std::nullopt;
  const auto& ctx = err.context();
  if (!ctx.match_elements<std::string, std::string, std::string, std::string,
                          std::string>())
    return std::nullopt;
  out_of_range_info out{ctx.get_as<std::string>(1)};
  auto get = [&](size_t i, core::stream_offset& x) {
    if (auto v = core::stream_offset::parse(ctx.get_as<std::string>(i)))
      x = std::move(*v);
  };
  get(2, out.requested);
  get(3, out.earliest);
  get(4, out.latest);
  return out;
}

}  // namespace sv::adapters
