#pragma once
// Opens the connection a metadata URI names (sqlite:PATH, postgres://...,
// postgres:KEY=VALUE ...); errc::bad_uri for anything else.

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "adapters/sql/connection.hpp"

namespace sv::adapters::sql {

caf::expected<std::unique_ptr<connection>> open_connection(const std::string& uri);

}  // namespace sv::adapters::sql
