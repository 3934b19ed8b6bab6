#include "http/api.hpp"

#include <memory>

#include "http/console_files.hpp"
#include "http/coordinator_routes.hpp"
#include "http/guard.hpp"
#include "http/kafka_control_routes.hpp"
#include "http/leadership.hpp"
#include "http/metrics_routes.hpp"
#include "http/node_routes.hpp"
#include "http/security_routes.hpp"
#include "http/sql_routes.hpp"

#include "http/supervisor_routes.hpp"
#include "http/task_routes.hpp"

namespace sv::http {

handler make_api(caf::actor_system& sys, actors::manager_actor manager,
                 actors::metadata_actor metadata, api_options opts) {
  auto r = std::make_shared<router>();
  route_context ctx{sys,          manager,  metadata, opts.runner, opts.request_timeout,
                    opts.lockbox, opts.node};
  add_node_routes(*r, ctx);
  add_supervisor_routes(*r, ctx);
  add_coordinator_routes(*r, ctx);
  add_metrics_routes(*r, ctx);
  add_sql_routes(*r, ctx);
  if (opts.runner) add_task_routes(*r, ctx);
  if (opts.embedded_kafka)
    add_kafka_control_routes(*r, opts.embedded_kafka, "/streamvisor/v1/kafka");
  auto sec = opts.security;
  if (sec && sec->options().enabled) add_security_routes(*r, ctx, sec);
  // Admission (rate, sign-in), then the leader's redirect, then what the
  // caller may do, then the route.
  return [r, sec, ctx, cluster = opts.node->cluster,
          console = opts.console_dir](request& req) {
    if (auto file = console_file(req, console)) return *file;
    if (sec)
      if (auto refused = sec->admit(req)) return *refused;
    if (cluster)
      if (auto redirect = leader_redirect(req, *cluster)) return *redirect;
    if (auto denied = check_access(req, ctx)) return *denied;
    return r->dispatch(req);
  };
}

}  // namespace sv::http
