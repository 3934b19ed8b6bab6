#pragma once
// Error codes of the adapters area (metadata stores, stream readers, files).
// Library codes (SQLITE_*, PGRES_*, rd_kafka_resp_err_t) are translated at the
// boundary; the library's own text goes into the error message.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>

#include "core/stream_offset.hpp"

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
  /// No stream broker can be reached right now; retryable.
  stream_unreachable,
  /// A requested offset is not available: below the earliest retained offset
  /// or above the latest. See out_of_range_details().
  offset_out_of_range,
  /// The topic (or stream) does not exist.
  unknown_topic,
  /// The stream refused access (topic or cluster authorization).
  authorization_failed,
  /// The stream client could not be configured (bad consumer property, ...).
  stream_config,
  /// Any other stream error; the message says which.
  stream_failed,
  /// An id that must be new already has rows (a backfill supervisor's id);
  /// not retryable with the same id.
  id_taken,
  /// This node no longer holds the cluster's leader lock (its connection
  /// dropped, or another node took over); it must stop acting as leader.
  leadership_lost,
  /// TLS files cannot be used: missing, unreadable, malformed, a key that is
  /// not the certificate's, or a certificate the CA did not sign.
  bad_credentials,
  /// An SQL query the engine refuses or cannot plan (its message says why).
  bad_query,
  /// An SQL query past a limit: its time, its rows, its size.
  query_limit,
};

/// Where an offset_out_of_range error happened.
struct out_of_range_info {
  std::string partition;
  core::stream_offset requested = -1;
  core::stream_offset earliest = -1;  ///< -1 when unknown
  core::stream_offset latest = -1;    ///< -1 when unknown
};

/// Builds an offset_out_of_range error carrying `info` in its context.
caf::error make_out_of_range(const out_of_range_info& info, std::string message);
/// The details of an offset_out_of_range error made by make_out_of_range.
std::optional<out_of_range_info> out_of_range_details(const caf::error& err);

std::string_view to_string(errc x);

caf::error make_error(errc code, std::string message);
bool is(const caf::error& err, errc code);
caf::atom_value adapters_error_category();

}  // namespace sv::adapters
