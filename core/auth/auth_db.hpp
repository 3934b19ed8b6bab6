#pragma once
// Who may do what (Druid's basic security, reference §3): the authenticator's
// users with their password credentials, the authorizer's users with their
// roles, and roles with permissions — a resource type (DATASOURCE, STATE,
// CONFIG, ...), a resource-name pattern (a regular expression matched against
// the whole name) and an action (READ or WRITE). Pure data and checks; the
// credentials are computed by adapters/crypto, the document is stored by
// adapters/config_store.

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/json.hpp"

namespace sv::core::auth {

enum class action { read, write };

std::string_view to_string(action a);

/// Druid's resource types.
inline constexpr const char* datasource = "DATASOURCE";
inline constexpr const char* state = "STATE";
inline constexpr const char* config = "CONFIG";

struct resource {
  std::string name;
  std::string type;
};

/// A grant: `type` resources whose whole name matches `pattern`, for `act`.
struct permission {
  std::string type;
  std::string pattern;
  action act = action::read;
  std::shared_ptr<const std::regex> compiled;  ///< `pattern`, compiled once
};

/// PBKDF2 output for one password (adapters/crypto/password.hpp).
struct credential {
  std::string salt;  ///< base64
  std::string hash;  ///< base64
  int32_t iterations = 0;
};

/// The whole security document, as the store keeps it.
struct auth_db {
  /// Authenticator users; a user without a credential cannot sign in.
  std::map<std::string, std::optional<credential>> logins;
  /// Authorizer users and the roles assigned to them.
  std::map<std::string, std::set<std::string>> users;
  std::map<std::string, std::vector<permission>> roles;
};

/// True when `user` holds a role with a permission for `r` and `a`.
bool allowed(const auth_db& db, const std::string& user, const resource& r, action a);

/// The role every action needs (Druid's "admin": .* on every type, both actions).
std::vector<permission> admin_permissions();

/// A permission from Druid's body member
/// {"resource": {"name": "wiki.*", "type": "DATASOURCE"}, "action": "READ"};
/// errc::invalid_input naming `path` on a bad member or pattern.
caf::expected<permission> permission_from_json(const json& j, const std::string& path);

/// Druid's role permission shape:
/// {"resourceAction": {"resource": {...}, "action": "READ"}, "resourceNamePattern": "..."}.
json to_json(const permission& p);

/// The stored document and back (permissions compiled on the way in).
json to_json(const auth_db& db);
caf::expected<auth_db> auth_db_from_json(const json& j);

}  // namespace sv::core::auth
