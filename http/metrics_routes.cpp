#include "http/metrics_routes.hpp"

#include "core/metrics.hpp"
#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

void add_metrics_routes(router& r, const route_context& ctx) {
  r.add("GET", "/metrics", [c = ctx](const request&, const captures&) {
    auto list =
        ask<msg::supervisor_list>(c.sys, c.manager, c.timeout, msg::list_supervisors{});
    if (!list) return error_response(list.error());
    std::vector<core::supervisor_metrics_input> in;
    for (const auto& item : list->items) {
      auto report = ask<msg::supervisor_report>(
          c.sys, c.manager, c.timeout, msg::get_supervisor_status{item.summary.id});
      // A supervisor that went away meanwhile is left out.
      if (!report) continue;
      in.push_back(core::supervisor_metrics_input{report->summary, report->payload});
    }
    return response{200, core::prometheus_text(in), "text/plain; version=0.0.4"};
  });
}

}  // namespace sv::http
