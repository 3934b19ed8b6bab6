#pragma once
// The console's files (console/README.md): GET / redirects to /console/, and
// GET /console/... serves the file of that name from the console directory
// (index.html for the directory itself). Only plain names below the directory
// are served: no "..", no hidden files. The files are public, as Druid's
// console files are; the API calls they make are authenticated.

#include <optional>
#include <string>

#include "http/server.hpp"

namespace sv::http {

/// A response when `req` asks for a console file (or `/`); nothing otherwise.
std::optional<response> console_file(const request& req, const std::string& dir);

}  // namespace sv::http
