#include "http/console_files.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace sv::http {

namespace {

std::string type_of(const std::string& name) {
  auto dot = name.rfind('.');
  auto ext = dot == std::string::npos ? std::string{} : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  return "application/octet-stream";
}

bool plain(const std::string& rel) {
  if (rel.empty() || rel.size() > 200) return false;
  size_t start = 0;
  while (start <= rel.size()) {
    auto slash = rel.find('/', start);
    auto part =
        rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part.front() == '.') return false;
    for (unsigned char c : part)
      if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_')) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

std::optional<response> console_file(const request& req, const std::string& dir) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  if (req.path == "/" || req.path == "/console")
    return response{302, "", "text/plain", {{"Location", "/console/"}}};
  const std::string prefix = "/console/";
  if (req.path.rfind(prefix, 0) != 0) return std::nullopt;
  auto rel = req.path.substr(prefix.size());
  if (rel.empty()) rel = "index.html";
  if (dir.empty() || !plain(rel))
    return response{404, "{\"error\":\"no such console file\"}"};
  std::ifstream in{dir + "/" + rel, std::ios::binary};
  if (!in)
    return response{404,
                    "{\"error\":\"no such console file (is the console built? "
                    "scripts/setup installs its packages)\"}"};
  std::ostringstream body;
  body << in.rdbuf();
  response r{200, body.str(), type_of(rel), {}};
  r.headers.push_back({"Cache-Control", "no-cache"});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  return r;
}

}  // namespace sv::http
