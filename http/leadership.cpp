#include "http/leadership.hpp"

#include <cctype>
#include <cstdio>

#include "http/error_status.hpp"

namespace sv::http {

namespace {

std::string encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

bool served_here(const std::string& path) {
  static const std::string base = "/druid/indexer/v1/";
  if (path == "/druid/v2/sql") return false;  // the system tables are the leader's
  if (path.rfind(base, 0) != 0) return true;
  auto rest = path.substr(base.size());
  return rest == "leader" || rest == "isLeader";
}

}  // namespace

std::optional<response> leader_redirect(const request& req, const cluster_status& c) {
  if (served_here(req.path)) return std::nullopt;
  auto v = c.view();
  if (v.leading) return std::nullopt;
  if (v.leader_http.empty())
    return error_response(503,
                          "no leader of this cluster is known at the moment; "
                          "retry shortly");
  auto location = "http://" + v.leader_http + encode(req.path);
  char sep = '?';
  for (const auto& [k, val] : req.params) {
    location += sep + encode(k) + (val.empty() ? "" : "=" + encode(val));
    sep = '&';
  }
  return response{307, "", "text/plain", {{"Location", location}}};
}

}  // namespace sv::http
