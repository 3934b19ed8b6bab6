#pragma once
// Error codes of the adapters area (metadata stores, stream readers, files).
// Library codes (SQLITE_*, PGRES_*, rd_kafka_resp_err_t) are translated at the
// boundary; the library's own text goes into the error message.

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace sv::adapters {

enum class errc : uint8_t {
  none = 0,
  /// The metadata store cannot be reached or the connection broke; retryable.
  store_unavailable,
  /// The store is locked by another writer past the busy timeout; retryable.
  store_busy,
  /// A statement failed (constraint, syntax, ...); not retryable.
  store_failed,
  /// A stored row could not be decoded.
  corrupt_record,
  /// The URI names no known store or is malformed.
  bad_uri,
  /// A file or directory operation failed.
  io_error,
};

std::string_view to_string(errc x);

caf::error make_error(errc code, std::string message);
bool is(const caf::error& err, errc code);
caf::atom_value adapters_error_category();

}  // namespace sv::adapters
