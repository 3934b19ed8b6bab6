#include "core/auth/auth_db.hpp"

#include "core/errc.hpp"

namespace sv::core::auth {

namespace {

const char* const known_types[] = {datasource, state, config, "VIEW", "SYSTEM_TABLE",
                                   "EXTERNAL", "QUERY_CONTEXT"};

caf::error bad(const std::string& path, const std::string& why) {
  return make_error(errc::invalid_input, path + ": " + why);
}

const std::string* string_at(const json& j, std::string_view key) {
  const json* v = j.find(key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

}  // namespace

std::string_view to_string(action a) {
  return a == action::read ? "READ" : "WRITE";
}

bool allowed(const auth_db& db, const std::string& user, const resource& r, action a) {
  auto u = db.users.find(user);
  if (u == db.users.end()) return false;
  for (const auto& role : u->second) {
    auto ps = db.roles.find(role);
    if (ps == db.roles.end()) continue;
    for (const auto& p : ps->second)
      if (p.act == a && p.type == r.type && p.compiled &&
          std::regex_match(r.name, *p.compiled))
        return true;
  }
  return false;
}

std::vector<permission> admin_permissions() {
  std::vector<permission> out;
  auto any = std::make_shared<const std::regex>(".*");
  for (const char* t : known_types)
    for (auto a : {action::read, action::write}) out.push_back({t, ".*", a, any});
  return out;
}

caf::expected<permission> permission_from_json(const json& j, const std::string& path) {
  if (!j.is_object()) return bad(path, "must be an object with resource and action");
  const json* res = j.find("resource");
  if (!res || !res->is_object()) return bad(path + ".resource", "required, an object");
  const auto* name = string_at(*res, "name");
  if (!name || name->empty())
    return bad(path + ".resource.name", "required, a regular expression");
  const auto* type = string_at(*res, "type");
  bool known = false;
  for (const char* t : known_types) known |= type && *type == t;
  if (!known)
    return bad(path + ".resource.type",
               "one of DATASOURCE, STATE, CONFIG, VIEW, SYSTEM_TABLE, EXTERNAL, "
               "QUERY_CONTEXT");
  const auto* act = string_at(j, "action");
  if (!act || (*act != "READ" && *act != "WRITE"))
    return bad(path + ".action", "READ or WRITE");
  permission p{*type, *name, *act == "READ" ? action::read : action::write, nullptr};
  try {
    p.compiled = std::make_shared<const std::regex>(*name);
  } catch (const std::regex_error& e) {
    return bad(path + ".resource.name",
               std::string{"not a valid regular expression: "} + e.what());
  }
  return p;
}

json to_json(const permission& p) {
  auto resource_action = json::make_object(
      {{"resource", json::make_object({{"name", p.pattern}, {"type", p.type}})},
       {"action", std::string{to_string(p.act)}}});
  return json::make_object(
      {{"resourceAction", resource_action}, {"resourceNamePattern", p.pattern}});
}

json to_json(const auth_db& db) {
  json logins{json::object{}};
  for (const auto& [name, c] : db.logins)
    logins.set(name, c ? json::make_object({{"salt", c->salt},
                                            {"hash", c->hash},
                                            {"iterations", c->iterations}})
                       : json{});
  json users{json::object{}};
  for (const auto& [name, roles] : db.users) {
    json::array rs;
    for (const auto& r : roles) rs.push_back(json{r});
    users.set(name, json{std::move(rs)});
  }
  json roles{json::object{}};
  for (const auto& [name, ps] : db.roles) {
    json::array out;
    for (const auto& p : ps)
      out.push_back(json::make_object(
          {{"resource", json::make_object({{"name", p.pattern}, {"type", p.type}})},
           {"action", std::string{to_string(p.act)}}}));
    roles.set(name, json{std::move(out)});
  }
  return json::make_object({{"logins", logins}, {"users", users}, {"roles", roles}});
}

caf::expected<auth_db> auth_db_from_json(const json& j) {
  auth_db db;
  auto section = [&](const char* key) -> const json::object* {
    const json* s = j.find(key);
    return s && s->is_object() ? &s->as_object() : nullptr;
  };
  if (const auto* logins = section("logins"))
    for (const auto& m : *logins) {
      if (m.value.is_null()) {
        db.logins[m.key] = std::nullopt;
        continue;
      }
      const auto* salt = string_at(m.value, "salt");
      const auto* hash = string_at(m.value, "hash");
      const json* it = m.value.find("iterations");
      if (!salt || !hash || !it || !it->is_int())
        return make_error(errc::internal, "security document: bad credential of " + m.key);
      db.logins[m.key] = credential{*salt, *hash, static_cast<int32_t>(it->as_int())};
    }
  if (const auto* users = section("users"))
    for (const auto& m : *users) {
      auto& roles = db.users[m.key];
      if (m.value.is_array())
        for (const auto& r : m.value.as_array())
          if (r.is_string()) roles.insert(r.as_string());
    }
  if (const auto* roles = section("roles"))
    for (const auto& m : *roles) {
      auto& ps = db.roles[m.key];
      if (!m.value.is_array()) continue;
      for (const auto& p : m.value.as_array()) {
        auto parsed = permission_from_json(p, "roles." + m.key);
        if (!parsed) return parsed.error();
        ps.push_back(std::move(*parsed));
      }
    }
  return db;
}

}  // namespace sv::core::auth
