#pragma once
// Matches a method and a path against patterns like
// "/druid/indexer/v1/supervisor/{}/status" ("{}" captures one segment).

#include <functional>
#include <string>
#include <vector>

#include "http/server.hpp"

namespace sv::http {

using captures = std::vector<std::string>;
using route_fn = std::function<response(const request&, const captures&)>;

class router {
 public:
  void add(std::string method, const std::string& pattern, route_fn fn);
  /// 404 for an unknown path, 405 for a known path with another method.
  response dispatch(const request& req) const;

 private:
  struct route {
    std::string method;
    std::vector<std::string> segments;
    route_fn fn;
  };
  std::vector<route> routes_;
};

std::vector<std::string> split_path(const std::string& path);

}  // namespace sv::http
