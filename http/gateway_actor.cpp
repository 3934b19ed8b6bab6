#include "http/gateway_actor.hpp"

#include <caf/all.hpp>

namespace sv::http {

namespace {

struct gateway_state {
  gateway_state() = default;
  std::shared_ptr<server> srv;
  static inline const char* name = "http_gateway";
};

gateway_actor::behavior_type gateway_behavior(
    gateway_actor::stateful_pointer<gateway_state> self, std::shared_ptr<server> srv) {
  self->state.srv = srv;
  self->attach_functor([srv] { srv->stop(); });
  return {
      [self](get_port_atom) -> uint16_t { return self->state.srv->port(); },
  };
}

}  // namespace

caf::expected<gateway_actor> spawn_gateway(caf::actor_system& sys,
                                           actors::manager_actor manager,
                                           actors::metadata_actor metadata,
                                           const gateway_config& cfg) {
  auto srv = start_server(cfg.host, cfg.port,
                          make_api(sys, std::move(manager), std::move(metadata), cfg.api),
                          cfg.limits);

  if (!srv) return srv.error();
  std::shared_ptr<server> shared{std::move(*srv)};
  return sys.spawn<caf::detached>(gateway_behavior, std::move(shared));
}

}  // namespace sv::http
