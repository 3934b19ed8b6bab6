// The supervisor's side of the lag-based autoscaler: lag samples, the gate
// (core::autoscaler::gate, Druid's DynamicAllocationTasksNotice) and the
// scale itself — the manager persists the spec with the new taskCount (a new
// version in the history) and hands it back as spec_updated, so the reading
// groups publish and new groups start where they stopped.

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/supervisor/supervisor_state.hpp"
#include "core/autoscaler/lag_based.hpp"
#include "core/spec/field_io.hpp"

namespace sv::actors::supervisor {

namespace {

bool wants_autoscaler(const core::supervisor_spec& s) {
  return s.io.autoscaling() && !s.io.bounded &&
         s.io.autoscaler->autoscaler_strategy == "lagBased";
}

void decided(self_ptr self, const msg::scale_notice& m, int32_t target,
             const std::string& action, const std::string& reason) {
  auto& a = self->state.autoscale;
  a.last_desired = m.desired;
  a.last_decision =
      core::json::make_object({{"time", core::format_utc_time(self->state.now())},
                               {"desiredTaskCount", m.desired},
                               {"taskCount", target},
                               {"samples", m.samples},
                               {"action", action},
                               {"reason", reason}});
}

}  // namespace

void respawn_autoscaler(self_ptr self) {
  auto& st = self->state;
  auto& a = st.autoscale;
  std::string config = wants_autoscaler(st.spec())
                           ? core::write_value(*st.spec().io.autoscaler).dump()
                           : "";
  if (config == a.config && (a.actor || config.empty())) return;
  if (a.actor) self->send_exit(a.actor, caf::exit_reason::user_shutdown);
  a.actor = nullptr;
  a.config = config;
  if (config.empty()) return;
  a.actor = spawn_autoscaler(self->system(), *st.spec().io.autoscaler,
                             caf::actor_cast<autoscaled>(self));
  self->link_to(a.actor);
}

msg::lag_sample lag_sample(self_ptr self) {
  auto& st = self->state;
  msg::lag_sample s;
  s.suspended = st.spec().suspended;
  s.task_count = st.spec().io.task_count;
  s.partitions = st.rec->partition_count();
  if (auto lag = st.rec->lag()) {
    s.known = true;
    s.lag = std::move(*lag);
  }
  return s;
}

void on_scale_notice(self_ptr self, const msg::scale_notice& m) {
  auto& st = self->state;
  auto& a = st.autoscale;
  if (!wants_autoscaler(st.spec()) || a.scaling) return;
  const auto& cfg = *st.spec().io.autoscaler;
  core::autoscaler::gate_input in;
  in.desired = m.desired;
  in.current = st.spec().io.task_count;
  in.partitions = st.rec->partition_count();
  in.suspended = st.spec().suspended;
  in.idle = st.rec->state() == core::detailed_state::idle;
  in.publishing = !st.rec->publishing().empty() || st.rec->backfill_in_progress();
  in.last_scale = a.last_scale;
  in.now = st.now();
  auto g = core::autoscaler::gate(cfg, in);
  if (!g.apply) {
    if (!g.reason.empty()) {
      ++a.skipped;
      spdlog::info("supervisor [{}]: autoscaler wants {} tasks (now {}): skipped, {}",
                   st.spec().id, m.desired, in.current, g.reason);
    }
    decided(self, m, in.current, g.reason.empty() ? "none" : "skipped", g.reason);
    return;
  }
  bool out = g.task_count > in.current;
  spdlog::info("supervisor [{}]: autoscaler: scaling {} from {} to {} tasks",
               st.spec().id, out ? "out" : "in", in.current, g.task_count);
  decided(self, m, g.task_count, out ? "scaleOut" : "scaleIn", "");
  a.scaling = true;
  auto started = st.now();
  self->request(st.listener, st.env.store_timeout,
                msg::scale_supervisor{
                    st.spec().id, g.task_count,
                    "lag-based autoscaler: desired " + std::to_string(m.desired)})
      .then(
          [self, out, started](msg::ack&) {
            auto& a = self->state.autoscale;
            a.scaling = false;
            a.last_scale = started;
            ++(out ? a.scale_outs : a.scale_ins);
            if (a.last_decision.is_object())
              a.last_decision.set("scaleActionTimeMillis",
                                  (self->state.now() - started).count());
            reset_lag_window(self);
          },
          [self](caf::error& err) {
            auto& a = self->state.autoscale;
            a.scaling = false;
            ++a.skipped;
            if (a.last_decision.is_object()) {
              a.last_decision.set("action", "skipped");
              a.last_decision.set("reason", "cannot persist the new task count: " +
                                                core::error_message(err));
            }
            spdlog::warn(
                "supervisor [{}]: autoscaler: cannot persist the new task count: {}",
                self->state.spec().id, core::error_message(err));
          });
}

void reset_lag_window(self_ptr self) {
  auto& a = self->state.autoscale;
  if (a.actor) self->send(a.actor, msg::reset_lag_window{});
}

std::optional<core::json> autoscaler_status(self_ptr self) {
  auto& st = self->state;
  if (!wants_autoscaler(st.spec())) return std::nullopt;
  const auto& cfg = *st.spec().io.autoscaler;
  auto& a = st.autoscale;
  // Druid's metric names, with their last values.
  auto metrics = core::json::make_object(
      {{"task/autoScaler/requiredCount", a.last_desired},
       {"task/autoScaler/updatedCount", st.spec().io.task_count},
       {"task/autoScaler/scaleActionTime",
        a.last_decision.is_object() && a.last_decision.find("scaleActionTimeMillis")
            ? *a.last_decision.find("scaleActionTimeMillis")
            : core::json{}}});
  return core::json::make_object(
      {{"strategy", cfg.autoscaler_strategy},
       {"taskCount", st.spec().io.task_count},
       {"taskCountMin",
        cfg.task_count_min ? core::json{*cfg.task_count_min} : core::json{}},
       {"taskCountMax",
        cfg.task_count_max ? core::json{*cfg.task_count_max} : core::json{}},
       {"lastDecision", a.last_decision},
       {"lastScaleTime",
        a.last_scale ? core::json{core::format_utc_time(*a.last_scale)} : core::json{}},
       {"scaleOuts", a.scale_outs},
       {"scaleIns", a.scale_ins},
       {"skipped", a.skipped},
       {"metrics", std::move(metrics)}});
}

}  // namespace sv::actors::supervisor
