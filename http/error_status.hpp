#pragma once
// The one table that maps error codes to HTTP status codes, and the error
// body {"error": "..."} Druid clients expect.

#include <caf/error.hpp>

#include "http/server.hpp"

namespace sv::http {

/// HTTP status for an error value (core, adapters or CAF system errors).
int status_of(const caf::error& err);

/// {"error": message} with the status from status_of.
response error_response(const caf::error& err);

/// {"error": message} with an explicit status.
response error_response(int status, const std::string& message);

}  // namespace sv::http
