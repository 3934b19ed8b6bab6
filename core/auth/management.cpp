#include "core/auth/management.hpp"

#include "core/errc.hpp"

namespace sv::core::auth {

namespace {

caf::error bad(std::string message) {
  return make_error(errc::invalid_input, std::move(message));
}

caf::error no_user(const std::string& name) {
  return bad("User [" + name + "] does not exist.");
}

caf::error no_role(const std::string& name) {
  return bad("Role [" + name + "] does not exist.");
}

caf::error check_name(const std::string& kind, const std::string& name) {
  if (name.empty() || name.size() > 256)
    return bad(kind + " name must have 1 to 256 characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return bad(kind + " name must not hold control characters");
  return {};
}

}  // namespace

auth_db initial_db(const credential& admin_credential) {
  auth_db db;
  db.logins["admin"] = admin_credential;
  db.users["admin"] = {"admin"};
  db.roles["admin"] = admin_permissions();
  return db;
}

caf::error create_login(auth_db& db, const std::string& name) {
  if (auto e = check_name("User", name)) return e;
  if (db.logins.count(name)) return bad("User [" + name + "] already exists.");
  db.logins[name] = std::nullopt;
  return {};
}

caf::error delete_login(auth_db& db, const std::string& name) {
  if (!db.logins.erase(name)) return no_user(name);
  return {};
}

caf::error set_credential(auth_db& db, const std::string& name, credential c) {
  auto u = db.logins.find(name);
  if (u == db.logins.end()) return no_user(name);
  u->second = std::move(c);
  return {};
}

caf::error create_user(auth_db& db, const std::string& name) {
  if (auto e = check_name("User", name)) return e;
  if (db.users.count(name)) return bad("User [" + name + "] already exists.");
  db.users[name];
  return {};
}

caf::error delete_user(auth_db& db, const std::string& name) {
  if (!db.users.erase(name)) return no_user(name);
  return {};
}

caf::error create_role(auth_db& db, const std::string& name) {
  if (auto e = check_name("Role", name)) return e;
  if (db.roles.count(name)) return bad("Role [" + name + "] already exists.");
  db.roles[name];
  return {};
}

caf::error delete_role(auth_db& db, const std::string& name) {
  if (!db.roles.erase(name)) return no_role(name);
  for (auto& [_, roles] : db.users) roles.erase(name);
  return {};
}

caf::error assign_role(auth_db& db, const std::string& user, const std::string& role) {
  auto u = db.users.find(user);
  if (u == db.users.end()) return no_user(user);
  if (!db.roles.count(role)) return no_role(role);
  if (!u->second.insert(role).second)
    return bad("User [" + user + "] already has role [" + role + "].");
  return {};
}

caf::error unassign_role(auth_db& db, const std::string& user, const std::string& role) {
  auto u = db.users.find(user);
  if (u == db.users.end()) return no_user(user);
  if (!db.roles.count(role)) return no_role(role);
  if (!u->second.erase(role))
    return bad("User [" + user + "] does not have role [" + role + "].");
  return {};
}

caf::error set_permissions(auth_db& db, const std::string& role,
                           std::vector<permission> ps) {
  auto r = db.roles.find(role);
  if (r == db.roles.end()) return no_role(role);
  r->second = std::move(ps);
  return {};
}

json login_json(const auth_db& db, const std::string& name) {
  const auto& c = db.logins.at(name);
  return json::make_object(
      {{"name", name},
       {"credentials", c ? json::make_object({{"iterations", c->iterations}}) : json{}}});
}

json user_json(const auth_db& db, const std::string& name, bool full) {
  json::array roles;
  for (const auto& r : db.users.at(name))
    roles.push_back(full ? role_json(db, r, false) : json{r});
  return json::make_object({{"name", name}, {"roles", json{std::move(roles)}}});
}

json role_json(const auth_db& db, const std::string& name, bool full) {
  json::array ps;
  if (auto r = db.roles.find(name); r != db.roles.end())
    for (const auto& p : r->second) ps.push_back(to_json(p));
  auto out = json::make_object({{"name", name}, {"permissions", json{std::move(ps)}}});
  if (full) {
    json::array users;
    for (const auto& [u, roles] : db.users)
      if (roles.count(name)) users.push_back(json{u});
    out.set("users", json{std::move(users)});
  }
  return out;
}

}  // namespace sv::core::auth
