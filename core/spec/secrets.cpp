#include "core/spec/secrets.hpp"

#include <algorithm>
#include <cctype>

#include "core/errc.hpp"

namespace sv::core {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// scheme://user:password@host... -> the [begin, end) of the password.
std::optional<std::pair<size_t, size_t>> uri_password(const std::string& s) {
  auto scheme = s.find("://");
  if (scheme == std::string::npos || scheme == 0) return std::nullopt;
  for (size_t i = 0; i < scheme; ++i) {
    unsigned char c = s[i];
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  auto start = scheme + 3;
  auto end = s.find_first_of("/?#", start);
  auto authority = s.substr(start, end == std::string::npos ? end : end - start);
  auto at = authority.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  auto colon = authority.find(':');
  if (colon == std::string::npos || colon > at) return std::nullopt;
  return std::pair{start + colon + 1, start + at};
}

json mask_value(const json& j, bool secret) {
  if (j.is_string()) {
    if (secret) return json{std::string{masked_secret}};
    const auto& s = j.as_string();
    if (auto pw = uri_password(s); pw && pw->second > pw->first)
      return json{s.substr(0, pw->first) + std::string{masked_secret} +
                  s.substr(pw->second)};
    return j;
  }
  if (j.is_array()) {
    json::array out;
    for (const auto& v : j.as_array()) out.push_back(mask_value(v, secret));
    return json{std::move(out)};
  }
  if (j.is_object()) {
    json::object out;
    for (const auto& m : j.as_object())
      out.push_back({m.key, mask_value(m.value, is_secret_key(m.key))});
    return json{std::move(out)};
  }
  return j;
}

void restore(json& posted, const json* current, const std::string& path,
             std::vector<std::string>& left) {
  if (posted.is_string()) {
    if (posted.as_string().find(masked_secret) == std::string::npos) return;
    if (current && current->is_string()) {
      // Masked as a secret member or as a URI password: either way, masking
      // the current value at this path gives what was posted.
      for (bool secret : {true, false})
        if (mask_value(*current, secret) == posted) {
          posted = *current;
          return;
        }
    }
    left.push_back(path);
    return;
  }
  if (posted.is_array()) {
    auto& xs = posted.as_array();
    const json::array* cs =
        current && current->is_array() ? &current->as_array() : nullptr;
    for (size_t i = 0; i < xs.size(); ++i)
      restore(xs[i], cs && i < cs->size() ? &(*cs)[i] : nullptr,
              path + "[" + std::to_string(i) + "]", left);
    return;
  }
  if (posted.is_object())
    for (auto& m : posted.as_object())
      restore(m.value, current ? current->find(m.key) : nullptr,
              path.empty() ? m.key : path + "." + m.key, left);
}

caf::error bad(const std::string& key, const std::string& why) {
  return make_error(errc::invalid_input,
                    "ioConfig.consumerProperties." + key + ": " + why);
}

// One password provider object -> its string.
caf::expected<std::string> provide(const std::string& key, const json& p,
                                   const secret_lookup& env, const secret_lookup& file) {
  const json* type = p.find("type");
  auto member = [&](const char* name) -> const std::string* {
    const json* v = p.find(name);
    return v && v->is_string() && !v->as_string().empty() ? &v->as_string() : nullptr;
  };
  std::string t = type && type->is_string() ? type->as_string() : "";
  if (t == "default") {
    if (const auto* v = member("password")) return *v;
    return bad(key + ".password", "required, a string");
  }
  if (t == "environment") {
    const auto* v = member("variable");
    if (!v)
      return bad(key + ".variable", "required, the name of an environment variable");
    if (auto value = env(*v)) return *value;
    return bad(key + ".variable", "the environment variable '" + *v + "' is not set");
  }
  if (t == "file") {
    const auto* path = member("path");
    if (!path) return bad(key + ".path", "required, the path of a file");
    auto value = file(*path);
    if (!value) return bad(key + ".path", "cannot read '" + *path + "'");
    if (!value->empty() && value->back() == '\n') value->pop_back();
    if (!value->empty() && value->back() == '\r') value->pop_back();
    return *value;
  }
  return bad(key + ".type",
             "a password provider is default, environment or file (got '" + t + "')");
}

void set_member(json::object& obj, const std::string& key, json value) {
  for (auto& m : obj)
    if (m.key == key) {
      m.value = std::move(value);
      return;
    }
  obj.push_back({key, std::move(value)});
}

}  // namespace

bool is_secret_key(std::string_view key) {
  auto k = lower(key);
  for (const char* word :
       {"password", "secret", "jaas", "token", "credential", "passphrase", "private.key",
        "privatekey", "apikey", "api.key", "api_key"})
    if (k.find(word) != std::string::npos) return true;
  return false;
}

json mask_secrets(const json& j) {
  return mask_value(j, false);
}

std::vector<std::string> restore_masked(json& posted, const json& current) {
  std::vector<std::string> left;
  restore(posted, &current, "", left);
  return left;
}

caf::expected<json::object> resolve_properties(const json::object& props,
                                               const secret_lookup& env,
                                               const secret_lookup& file) {
  json::object out;
  const std::string dynamic = "druid.dynamic.config.provider";
  for (const auto& m : props) {
    if (m.value.is_object() && m.key != dynamic) {
      auto v = provide(m.key, m.value, env, file);
      if (!v) return v.error();
      out.push_back({m.key, json{std::move(*v)}});
    } else {
      out.push_back(m);
    }
  }
  const json* p = find_member(props, dynamic);
  if (!p) return out;
  if (!p->is_object()) return bad(dynamic, "must be an object");
  const json* type = p->find("type");
  std::string t = type && type->is_string() ? type->as_string() : "";
  if (t == "mapString") {
    const json* config = p->find("config");
    if (!config || !config->is_object()) return bad(dynamic + ".config", "an object");
    for (const auto& c : config->as_object()) {
      if (!c.value.is_string()) return bad(dynamic + ".config." + c.key, "a string");
      set_member(out, c.key, c.value);
    }
  } else if (t == "environment") {
    const json* vars = p->find("variables");
    if (!vars || !vars->is_object()) return bad(dynamic + ".variables", "an object");
    for (const auto& c : vars->as_object()) {
      if (!c.value.is_string())
        return bad(dynamic + ".variables." + c.key, "the name of a variable");
      auto value = env(c.value.as_string());
      if (!value)
        return bad(dynamic + ".variables." + c.key,
                   "the environment variable '" + c.value.as_string() + "' is not set");
      set_member(out, c.key, json{std::move(*value)});
    }
  } else {
    return bad(dynamic + ".type", "mapString or environment (got '" + t + "')");
  }
  return out;
}

}  // namespace sv::core
