#pragma once
// Druid's SQL API request and response shapes (POST /druid/v2/sql): the
// request's query, parameters, resultFormat, header, typesHeader,
// sqlTypesHeader and context; results as object, array, objectLines,
// arrayLines or csv, with the optional header rows. Pure.

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/json.hpp"
#include "core/sql/system_tables.hpp"

namespace sv::core::sql {

enum class result_format { object, array, object_lines, array_lines, csv };

struct sql_request {
  std::string query;
  std::vector<cell> parameters;  ///< Druid's [{"type": "VARCHAR", "value": ...}]
  result_format format = result_format::object;
  bool header = false;
  bool types_header = false;
  bool sql_types_header = false;
  json context;
};

/// errc::invalid_input with the field at fault on a malformed request.
caf::expected<sql_request> parse_sql_request(const json& body);

struct result_set {
  std::vector<column> columns;
  std::vector<row> rows;
};

struct formatted {
  std::string body;
  std::string content_type;
};

/// The body in the request's format.
formatted format_result(const sql_request& req, const result_set& r);

/// Druid's SQL error body: {"error": "druidException", "errorCode", "persona",
/// "category", "errorMessage", "context"}.
json sql_error(const std::string& code, const std::string& category,
               const std::string& message);

}  // namespace sv::core::sql
