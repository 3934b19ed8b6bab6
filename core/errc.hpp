#pragma once
// Error codes of the core area. Every fallible core function returns
// caf::expected<T> or caf::error built from these codes; the error's context
// carries one human-readable string (see core::error_message).

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace sv::core {

enum class errc : uint8_t {
  /// Not an error; never used in a caf::error.
  none = 0,
  /// The input (JSON text, spec, period, date-time, body) is malformed or invalid.
  invalid_input,
  /// The named entity (supervisor, task, history) does not exist.
  not_found,
  /// The request conflicts with the current state (already suspended, ...).
  conflict,
  /// The operation is not supported for this kind of supervisor.
  unsupported,
  /// A dependency (metadata store, stream) could not be reached; retry later.
  unavailable,
  /// An invariant was broken; a bug or corrupted persisted data.
  internal,
  /// A request did not complete in time.
  timeout,
};

/// Stable lower-case name of an error code, e.g. "invalid_input".
std::string_view to_string(errc x);

/// Creates an error of the core category with a human-readable message.
caf::error make_error(errc code, std::string message);

/// True if `err` belongs to the core category and has code `code`.
bool is(const caf::error& err, errc code);

/// Returns the error's human-readable message (its context string), or a
/// rendering of category and code when it has none.
std::string error_message(const caf::error& err);

/// The atom naming the core error category.
caf::atom_value core_error_category();

}  // namespace sv::core
