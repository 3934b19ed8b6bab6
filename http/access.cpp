#include "http/access.hpp"

namespace sv::http {

bool may(const request& req, const core::auth::resource& r, core::auth::action a) {
  if (!req.who) return true;
  return req.who->db && core::auth::allowed(*req.who->db, req.who->name, r, a);
}

response forbidden() {
  return response{
      403, core::json::make_object({{"Access-Check-Result", "Unauthorized"}}).dump()};
}

std::string author_of(const request& req) {
  return req.who ? req.who->name : req.remote_addr;
}

std::string data_source_of(const core::json& spec) {
  for (const core::json* at : {&spec, spec.find("spec")}) {
    if (!at) continue;
    if (const auto* ds = at->find("dataSource"); ds && ds->is_string())
      return ds->as_string();
    if (const auto* dss = at->find("dataSources"); dss && dss->is_array() &&
                                                   !dss->as_array().empty() &&
                                                   dss->as_array().front().is_string())
      return dss->as_array().front().as_string();
    if (const auto* schema = at->find("dataSchema"))
      if (const auto* ds = schema->find("dataSource"); ds && ds->is_string())
        return ds->as_string();
  }
  return {};
}

}  // namespace sv::http
