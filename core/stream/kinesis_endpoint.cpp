#include "core/stream/kinesis_endpoint.hpp"

#include "core/errc.hpp"

namespace sv::core::stream {

namespace {

caf::error bad(const std::string& why) {
  return make_error(errc::invalid_input, "ioConfig.endpoint: " + why);
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
}

}  // namespace

caf::expected<kinesis_endpoint> parse_kinesis_endpoint(const std::string& endpoint,
                                                       const env_lookup& env) {
  kinesis_endpoint out;
  std::string host = endpoint;
  bool plain = false;
  if (auto at = endpoint.find("://"); at != std::string::npos) {
    auto scheme = endpoint.substr(0, at);
    if (scheme != "http" && scheme != "https")
      return bad("scheme must be http or https (got '" + scheme + "')");
    plain = scheme == "http";
    host = endpoint.substr(at + 3);
    if (!host.empty() && host.back() == '/') host.pop_back();
  }
  if (host.empty()) return bad("no host");
  for (char c : host)
    if (!host_char(c)) return bad("'" + endpoint + "' is not a host[:port]");
  out.url = (plain ? "http://" : "https://") + host;
  // kinesis.REGION.amazonaws.com[.cn] names its region.
  constexpr std::string_view prefix = "kinesis.";
  if (host.starts_with(prefix)) {
    auto dot = host.find('.', prefix.size());
    if (dot != std::string::npos && host.find(".amazonaws.com", dot) == dot)
      out.region = host.substr(prefix.size(), dot - prefix.size());
    else if (auto r = env("AWS_REGION"))
      out.region = *r;
  } else if (auto r = env("AWS_REGION")) {
    out.region = *r;
  } else if (auto d = env("AWS_DEFAULT_REGION")) {
    out.region = *d;
  }
  auto key = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
  if (key.has_value() != secret.has_value())
    return make_error(errc::invalid_input,
                      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
  if (key) {
    out.access_key = *key;
    out.secret_key = *secret;
    if (auto t = env("AWS_SESSION_TOKEN")) out.session_token = *t;
  } else if (plain) {
    out.access_key = "local";
    out.secret_key = "local";
  } else {
    return make_error(errc::invalid_input,
                      "no AWS credentials for " + out.url +
                          ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                          "(and AWS_SESSION_TOKEN for temporary ones)");
  }
  return out;
}

}  // namespace sv::core::stream
