#include "core/stream/rabbit_endpoint.hpp"

#include <charconv>

#include "core/errc.hpp"

namespace sv::core::stream {

namespace {

caf::error bad(const std::string& field, const std::string& why) {
  return make_error(errc::invalid_input, field + ": " + why);
}

std::optional<std::string> percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int v = 0;
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc{} || p != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

struct parsed_uri {
  std::string host;
  std::optional<uint16_t> port;
  std::optional<std::string> user, pass, vhost;
};

caf::expected<parsed_uri> parse_uri(const std::string& field, const std::string& uri,
                                    const std::string& scheme) {
  auto prefix = scheme + "://";
  if (uri.rfind(prefix, 0) != 0)
    return bad(field, "must start with " + prefix + " (got '" + uri + "')");
  auto rest = uri.substr(prefix.size());
  parsed_uri out;
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    auto v = percent_decode(rest.substr(slash + 1));
    if (!v) return bad(field, "a malformed %-escape in the virtual host");
    if (!v->empty()) out.vhost = *v;
  }
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    auto info = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = info.find(':');
    auto user = percent_decode(info.substr(0, colon));
    if (!user) return bad(field, "a malformed %-escape in the user name");
    out.user = *user;
    if (colon != std::string::npos) {
      auto pass = percent_decode(info.substr(colon + 1));
      if (!pass) return bad(field, "a malformed %-escape in the password");
      out.pass = *pass;
    }
  }
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    auto close = authority.find(']');
    if (close == std::string::npos) return bad(field, "an unclosed '[' in the host");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad(field, "junk after the host");
      port_text = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  } else {
    out.host = authority;
  }
  if (out.host.empty()) return bad(field, "names no host");
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 ||
        v > 65535)
      return bad(field,
                 "the port must be a number from 1 to 65535 (got '" + port_text + "')");
    out.port = static_cast<uint16_t>(v);
  }
  return out;
}

// A credential from consumerProperties: set directly, or through Druid's
// dynamic config provider.
caf::expected<std::optional<std::string>> credential(const json::object& props,
                                                     const std::string& key,
                                                     const env_lookup& env) {
  const std::string base = "ioConfig.consumerProperties.";
  std::optional<std::string> out;
  if (const auto* v = find_member(props, key)) {
    if (!v->is_string()) return bad(base + key, "must be a string");
    out = v->as_string();
  }
  const auto* provider = find_member(props, "druid.dynamic.config.provider");
  if (!provider) return out;
  const auto field = base + "druid.dynamic.config.provider";
  if (!provider->is_object()) return bad(field, "must be an object");
  const auto* type = provider->find("type");
  if (!type || !type->is_string())
    return bad(field + ".type", "required (mapString or environment)");
  if (type->as_string() == "mapString") {
    const auto* config = provider->find("config");
    if (!config || !config->is_object())
      return bad(field + ".config", "must be an object");
    if (const auto* v = config->find(key)) {
      if (!v->is_string()) return bad(field + ".config." + key, "must be a string");
      out = v->as_string();
    }
  } else if (type->as_string() == "environment") {
    const auto* vars = provider->find("variables");
    if (!vars || !vars->is_object())
      return bad(field + ".variables", "must be an object");
    if (const auto* v = vars->find(key)) {
      if (!v->is_string()) return bad(field + ".variables." + key, "must be a string");
      auto value = env(v->as_string());
      if (!value)
        return bad(field + ".variables." + key,
                   "the environment variable '" + v->as_string() + "' is not set");
      out = *value;
    }
  } else {
    return bad(field + ".type",
               "must be mapString or environment (got '" + type->as_string() + "')");
  }
  return out;
}

}  // namespace

caf::expected<rabbit_endpoint> parse_rabbit_endpoint(
    const std::string& uri, const json::object* consumer_properties,
    const env_lookup& env) {
  auto u = parse_uri("ioConfig.uri", uri, "rabbitmq-stream");
  if (!u) return u.error();
  rabbit_endpoint out;
  out.host = u->host;
  if (u->port) out.stream_port = *u->port;
  if (u->user) out.username = *u->user;
  if (u->pass) out.password = *u->pass;
  if (u->vhost) out.vhost = *u->vhost;
  out.amqp_host = out.host;
  if (!consumer_properties) return out;
  const auto& props = *consumer_properties;
  for (const char* key : {"username", "password"}) {
    auto c = credential(props, key, env);
    if (!c) return c.error();
    if (*c) (std::string{key} == "username" ? out.username : out.password) = **c;
  }
  if (const auto* a = find_member(props, "amqpUri")) {
    const std::string field = "ioConfig.consumerProperties.amqpUri";
    if (!a->is_string()) return bad(field, "must be a string");
    auto au = parse_uri(field, a->as_string(), "amqp");
    if (!au) return au.error();
    if (au->user || au->vhost)
      return bad(field,
                 "names a host and port only (credentials and the virtual host "
                 "come from ioConfig.uri and consumerProperties)");
    out.amqp_host = au->host;
    if (au->port) out.amqp_port = *au->port;
  }
  return out;
}

}  // namespace sv::core::stream
