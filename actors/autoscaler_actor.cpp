#include "actors/autoscaler_actor.hpp"

#include <caf/all.hpp>

#include "core/autoscaler/lag_based.hpp"
#include "messages/core_inspect.hpp"

namespace sv::actors {

namespace {

using namespace std::chrono;
namespace as = core::autoscaler;

struct autoscaler_state {
  autoscaler_state() = default;
  core::autoscaler_config cfg;
  autoscaled supervisor;
  std::unique_ptr<as::lag_window> window;
  as::lag_aggregate how = as::lag_aggregate::sum;
  int32_t task_count = 1;
  int32_t partitions = 0;
  static inline const char* name = "autoscaler";
};

using self_ptr = autoscaler_actor::stateful_pointer<autoscaler_state>;

void collect(self_ptr self) {
  auto& st = self->state;
  self->request(st.supervisor, milliseconds{st.cfg.lag_collection_interval_millis},
                msg::get_lag_sample{})
      .then(
          [self](msg::lag_sample& s) {
            auto& st = self->state;
            st.task_count = s.task_count;
            st.partitions = s.partitions;
            if (s.suspended) return;
            st.window->add(s.known ? as::aggregate_lag(s.lag, st.how) : 0);
          },
          [self](caf::error&) { self->state.window->add(0); });
  self->delayed_send(self, milliseconds{st.cfg.lag_collection_interval_millis},
                     collect_atom::value);
}

void decide(self_ptr self) {
  auto& st = self->state;
  auto desired =
      as::desired_task_count(st.cfg, st.window->samples(), st.task_count, st.partitions);
  self->send(
      st.supervisor,
      msg::scale_notice{desired, static_cast<int32_t>(st.window->samples().size())});
  self->delayed_send(self, milliseconds{st.cfg.scale_action_period_millis},
                     decide_atom::value);
}

autoscaler_actor::behavior_type autoscaler(self_ptr self, core::autoscaler_config cfg,
                                           autoscaled supervisor) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.supervisor = std::move(supervisor);
  st.window = std::make_unique<as::lag_window>(st.cfg);
  st.how = as::parse_lag_aggregate(st.cfg.lag_aggregate).value_or(as::lag_aggregate::sum);
  // It ticks for as long as it lives: it goes with its supervisor, whichever
  // way that ends (a supervisor that stops quits normally, which a link
  // would not pass on).
  self->monitor(st.supervisor);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  auto start = milliseconds{st.cfg.scale_action_start_delay_millis};
  self->delayed_send(self, start, collect_atom::value);
  self->delayed_send(self, start + milliseconds{st.cfg.lag_collection_range_millis},
                     decide_atom::value);
  return {
      [self](msg::reset_lag_window&) { self->state.window->clear(); },
      [self](collect_atom) { collect(self); },
      [self](decide_atom) { decide(self); },
  };
}

}  // namespace

autoscaler_actor spawn_autoscaler(caf::actor_system& sys, core::autoscaler_config cfg,
                                  autoscaled supervisor) {
  return sys.spawn(autoscaler, std::move(cfg), std::move(supervisor));
}

}  // namespace sv::actors
