#include "http/security_routes.hpp"

#include "adapters/crypto/password.hpp"
#include "core/auth/management.hpp"
#include "core/errc.hpp"
#include "http/access.hpp"
#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;
namespace auth = core::auth;
using change_fn =
    std::function<caf::error(auth::auth_db&, const request&, const captures&)>;

const std::string base = "/druid-ext/basic-security";

response ok_json(json j) {
  return response{200, j.dump()};
}

response names(const std::vector<std::string>& xs) {
  json::array out;
  for (const auto& x : xs) out.push_back(json{x});
  return ok_json(json{std::move(out)});
}

template <class Map>
std::vector<std::string> keys(const Map& m) {
  std::vector<std::string> out;
  for (const auto& [k, _] : m) out.push_back(k);
  return out;
}

response unknown(const char* kind, const std::string& name) {
  return error_response(
      400, std::string{"Basic "} + kind + " with name [" + name + "] does not exist.");
}

void audit(const route_context& ctx, const request& req, const std::string& type,
           json payload) {
  core::audit_record rec;
  rec.key = "basic-security";
  rec.type = type;
  rec.author = author_of(req);
  rec.payload = std::move(payload);
  (void)ask<core::audit_record>(ctx.sys, ctx.metadata, ctx.timeout,
                                msg::md_append_audit{std::move(rec)});
}

}  // namespace

void add_security_routes(router& r, const route_context& ctx,
                         std::shared_ptr<security> sec) {
  const auto authn = base + "/authentication";
  const auto authz = base + "/authorization";
  auto authn_name = sec->options().authenticator;
  auto authz_name = sec->options().authorizer;

  // A read of the current document: `f(db, req, captures)`.
  auto read = [sec](auto f) {
    return [sec, f](const request& req, const captures& c) -> response {
      auto db = sec->current();
      if (!db) return error_response(db.error());
      return f(**db, req, c);
    };
  };
  // A change, audited as `type` with the captured names.
  auto write = [sec, ctx](std::string type, change_fn f) {
    return [sec, ctx, type, f](const request& req, const captures& c) -> response {
      auto e = sec->update([&](auth::auth_db& db) { return f(db, req, c); });
      if (e) return error_response(e);
      json::array names;
      for (size_t i = 1; i < c.size(); ++i) names.push_back(json{c[i]});
      audit(ctx, req, type, json::make_object({{"names", json{std::move(names)}}}));
      return response{200, ""};
    };
  };
  // Checks the {} name in the path against this node's authenticator or authorizer.
  auto named = [](const std::string& expected, const char* kind, route_fn f) {
    return [expected, kind, f](const request& req, const captures& c) -> response {
      if (c.empty() || c[0] != expected) return unknown(kind, c.empty() ? "" : c[0]);
      return f(req, c);
    };
  };
  auto an = [&](route_fn f) { return named(authn_name, "authenticator", std::move(f)); };
  auto az = [&](route_fn f) { return named(authz_name, "authorizer", std::move(f)); };

  for (const auto& [path, name] :
       {std::pair{authn, authn_name}, std::pair{authz, authz_name}})
    r.add("GET", path + "/loadStatus", [name](const request&, const captures&) {
      return ok_json(json::make_object({{name, true}}));
    });

  // -- authenticator: users and credentials ---------------------------------
  r.add("GET", authn + "/db/{}/users", an(read([](const auth::auth_db& db, auto&, auto&) {
          return names(keys(db.logins));
        })));
  r.add("GET", authn + "/db/{}/users/{}",
        an(read([](const auth::auth_db& db, const request&, const captures& c) {
          if (!db.logins.count(c[1]))
            return error_response(400, "User [" + c[1] + "] does not exist.");
          return ok_json(auth::login_json(db, c[1]));
        })));
  r.add("POST", authn + "/db/{}/users/{}",
        an(write("basic-security.authentication.createUser",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::create_login(db, c[1]);
                 })));
  r.add("DELETE", authn + "/db/{}/users/{}",
        an(write("basic-security.authentication.deleteUser",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::delete_login(db, c[1]);
                 })));
  r.add("POST", authn + "/db/{}/users/{}/credentials",
        an(write(
            "basic-security.authentication.updateCredentials",
            [](auth::auth_db& db, const request& req, const captures& c) -> caf::error {
              auto body = json::parse(req.body);
              const json* pw = body ? body->find("password") : nullptr;
              if (!pw || !pw->is_string() || pw->as_string().empty())
                return core::make_error(core::errc::invalid_input,
                                        "password: required, a non-empty string");
              if (!db.logins.count(c[1]))
                return core::make_error(core::errc::invalid_input,
                                        "User [" + c[1] + "] does not exist.");
              return auth::set_credential(db, c[1],
                                          adapters::make_credential(pw->as_string()));
            })));

  // -- authorizer: users, roles, permissions ---------------------------------
  r.add("GET", authz + "/db/{}/users", az(read([](const auth::auth_db& db, auto&, auto&) {
          return names(keys(db.users));
        })));
  r.add("GET", authz + "/db/{}/users/{}",
        az(read([](const auth::auth_db& db, const request& req, const captures& c) {
          if (!db.users.count(c[1]))
            return error_response(400, "User [" + c[1] + "] does not exist.");
          return ok_json(auth::user_json(db, c[1], req.has_param("full")));
        })));
  r.add("POST", authz + "/db/{}/users/{}",
        az(write("basic-security.authorization.createUser",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::create_user(db, c[1]);
                 })));
  r.add("DELETE", authz + "/db/{}/users/{}",
        az(write("basic-security.authorization.deleteUser",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::delete_user(db, c[1]);
                 })));
  r.add("POST", authz + "/db/{}/users/{}/roles/{}",
        az(write("basic-security.authorization.assignRole",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::assign_role(db, c[1], c[2]);
                 })));
  r.add("DELETE", authz + "/db/{}/users/{}/roles/{}",
        az(write("basic-security.authorization.unassignRole",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::unassign_role(db, c[1], c[2]);
                 })));
  r.add("GET", authz + "/db/{}/roles", az(read([](const auth::auth_db& db, auto&, auto&) {
          return names(keys(db.roles));
        })));
  r.add("GET", authz + "/db/{}/roles/{}",
        az(read([](const auth::auth_db& db, const request& req, const captures& c) {
          if (!db.roles.count(c[1]))
            return error_response(400, "Role [" + c[1] + "] does not exist.");
          return ok_json(auth::role_json(db, c[1], req.has_param("full")));
        })));
  r.add("GET", authz + "/db/{}/roles/{}/permissions",
        az(read([](const auth::auth_db& db, const request&, const captures& c) {
          if (!db.roles.count(c[1]))
            return error_response(400, "Role [" + c[1] + "] does not exist.");
          return ok_json(*auth::role_json(db, c[1], false).find("permissions"));
        })));
  r.add("POST", authz + "/db/{}/roles/{}",
        az(write("basic-security.authorization.createRole",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::create_role(db, c[1]);
                 })));
  r.add("DELETE", authz + "/db/{}/roles/{}",
        az(write("basic-security.authorization.deleteRole",
                 [](auth::auth_db& db, auto&, const captures& c) {
                   return auth::delete_role(db, c[1]);
                 })));
  r.add("POST", authz + "/db/{}/roles/{}/permissions",
        az(write(
            "basic-security.authorization.setPermissions",
            [](auth::auth_db& db, const request& req, const captures& c) -> caf::error {
              auto body = json::parse(req.body.empty() ? "[]" : req.body);
              if (!body) return body.error();
              if (!body->is_array())
                return core::make_error(core::errc::invalid_input,
                                        "the body must be a list of permissions");
              std::vector<auth::permission> ps;
              for (size_t i = 0; i < body->as_array().size(); ++i) {
                auto p = auth::permission_from_json(body->as_array()[i],
                                                    "[" + std::to_string(i) + "]");
                if (!p) return p.error();
                ps.push_back(std::move(*p));
              }
              return auth::set_permissions(db, c[1], std::move(ps));
            })));
}

}  // namespace sv::http
