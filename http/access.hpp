#pragma once
// Authorization of one request (Druid's model, reference §3): the caller's
// roles decide whether it may READ or WRITE a resource. A request without a
// caller (the API runs without authentication) may do everything.

#include <memory>
#include <string>

#include "core/auth/auth_db.hpp"
#include "core/json.hpp"
#include "http/server.hpp"

namespace sv::http {

/// An authenticated caller and the security document it was checked against.
struct caller {
  std::string name;
  std::shared_ptr<const core::auth::auth_db> db;
};

bool may(const request& req, const core::auth::resource& r, core::auth::action a);

inline bool may_read(const request& req, const std::string& data_source) {
  return may(req, {data_source, core::auth::datasource}, core::auth::action::read);
}
inline bool may_write(const request& req, const std::string& data_source) {
  return may(req, {data_source, core::auth::datasource}, core::auth::action::write);
}

/// 403 with Druid's body {"Access-Check-Result": "Unauthorized"}.
response forbidden();

/// Who asked, for audit rows: the caller's name, or without authentication
/// the client's address.
std::string author_of(const request& req);

/// The dataSource a printed spec (or a task payload) names; empty if none.
std::string data_source_of(const core::json& spec);

}  // namespace sv::http
