#pragma once
// Druid's basic-security management API, with Druid's paths and bodies:
//   /druid-ext/basic-security/authentication/loadStatus
//   /druid-ext/basic-security/authentication/db/{authenticator}/users[/{user}[/credentials]]
//   /druid-ext/basic-security/authorization/loadStatus
//   /druid-ext/basic-security/authorization/db/{authorizer}/users[/{user}[/roles/{role}]]
//   /druid-ext/basic-security/authorization/db/{authorizer}/roles[/{role}[/permissions]]
// Changes are audited (type basic-security.*, author the caller, no secret).

#include <memory>

#include "http/router.hpp"
#include "http/security.hpp"
#include "http/supervisor_routes.hpp"

namespace sv::http {

void add_security_routes(router& r, const route_context& ctx,
                         std::shared_ptr<security> sec);

}  // namespace sv::http
