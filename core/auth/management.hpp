#pragma once
// The changes Druid's basic-security management API makes to the security
// document (users, roles, permissions), with Druid's messages. Every error is
// errc::invalid_input (Druid answers these with 400).

#include <string>
#include <vector>

#include <caf/error.hpp>

#include "core/auth/auth_db.hpp"

namespace sv::core::auth {

/// The first document: `admin` may sign in with `admin_credential` and holds
/// the `admin` role, which may do everything.
auth_db initial_db(const credential& admin_credential);

caf::error create_login(auth_db& db, const std::string& name);
caf::error delete_login(auth_db& db, const std::string& name);
caf::error set_credential(auth_db& db, const std::string& name, credential c);

caf::error create_user(auth_db& db, const std::string& name);
caf::error delete_user(auth_db& db, const std::string& name);
caf::error create_role(auth_db& db, const std::string& name);
/// Also takes the role from every user holding it.
caf::error delete_role(auth_db& db, const std::string& name);
caf::error assign_role(auth_db& db, const std::string& user, const std::string& role);
caf::error unassign_role(auth_db& db, const std::string& user, const std::string& role);
/// Replaces the role's permissions.
caf::error set_permissions(auth_db& db, const std::string& role,
                           std::vector<permission> ps);

/// GET .../authentication/db/{name}/users/{user}: the name, and of the
/// credential only its iteration count (never the salt or the hash).
json login_json(const auth_db& db, const std::string& name);
/// GET .../authorization/db/{name}/users/{user}: roles by name, or with
/// `full` the roles with their permissions.
json user_json(const auth_db& db, const std::string& name, bool full);
/// GET .../authorization/db/{name}/roles/{role}: permissions, and with
/// `full` the users holding it.
json role_json(const auth_db& db, const std::string& name, bool full);

}  // namespace sv::core::auth
