#include "http/router.hpp"

#include "http/error_status.hpp"

namespace sv::http {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void router::add(std::string method, const std::string& pattern, route_fn fn) {
  routes_.push_back(route{std::move(method), split_path(pattern), std::move(fn)});
}

response router::dispatch(const request& req) const {
  auto segs = split_path(req.path);
  bool path_known = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    captures caps;
    bool match = true;
    for (size_t i = 0; i < segs.size() && match; ++i) {
      if (r.segments[i] == "{}")
        caps.push_back(segs[i]);
      else if (r.segments[i] != segs[i])
        match = false;
    }
    if (!match) continue;
    path_known = true;
    if (r.method == req.method) return r.fn(req, caps);
  }
  if (path_known)
    return error_response(405, "method " + req.method + " not allowed on " + req.path);
  return error_response(404, "no such resource: " + req.path);
}

}  // namespace sv::http
