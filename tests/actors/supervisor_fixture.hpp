#pragma once
// A supervisor under the deterministic scheduler: the real task runner with
// fake tasks, a fake stream, the real metadata actor on SQLite, and a clock
// that is the test scheduler's.

#include <vector>

#include "actors/supervisor_actor.hpp"
#include "actors/task_runner_actor.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/fake_task.hpp"
#include "tests/core/supervisor/planner_fixture.hpp"

namespace sv::test {

// Plays the manager: records summaries, commits a backfill's transaction
// through the real metadata actor and records the backfill specs it starts.
struct summary_log_state {
  summary_log_state() = default;
  actors::metadata_actor metadata;
  std::vector<core::supervisor_summary>* log = nullptr;
  std::vector<core::supervisor_spec>* started = nullptr;
  std::vector<msg::scale_supervisor>* scaled = nullptr;
};

inline actors::supervisor_listener::behavior_type summary_log(
    actors::supervisor_listener::stateful_pointer<summary_log_state> self,
    actors::metadata_actor metadata, std::vector<core::supervisor_summary>* log,
    std::vector<core::supervisor_spec>* started,
    std::vector<msg::scale_supervisor>* scaled = nullptr) {
  self->state.metadata = std::move(metadata);
  self->state.log = log;
  self->state.started = started;
  self->state.scaled = scaled;
  return {
      [self](msg::supervisor_state_changed& m) { self->state.log->push_back(m.summary); },
      [self](msg::create_backfill_supervisor& m) -> caf::result<msg::ack> {
        auto rp = self->make_response_promise<msg::ack>();
        self->request(self->state.metadata, caf::infinite, std::move(m.begin))
            .then(
                [self, rp, spec = std::move(m.spec)](core::spec_version&) mutable {
                  self->state.started->push_back(std::move(spec));
                  rp.deliver(msg::ack{});
                },
                [rp](caf::error& err) mutable {
                  rp.deliver(adapters::is(err, adapters::errc::id_taken)
                                 ? core::make_error(core::errc::conflict,
                                                    core::error_message(err))
                                 : std::move(err));
                });
        return rp;
      },
      [self](msg::scale_supervisor& m) {
        if (self->state.scaled) self->state.scaled->push_back(m);
        return msg::ack{};
      },
  };
}

struct supervisor_fixture : actor_fixture {
  std::shared_ptr<fake_stream> stream = std::make_shared<fake_stream>();
  fake_registry fakes;
  int32_t capacity = 16;
  actors::task_runner_actor runner;
  actors::supervisor_listener listener;
  std::vector<core::supervisor_summary> summaries;
  std::vector<core::supervisor_spec> started;
  std::vector<msg::scale_supervisor> scaled;  ///< the autoscaler's requests
  caf::actor_clock::time_point t0;

  supervisor_fixture() : t0(sched.clock().now()) {}

  core::utc_time now() {
    return at(0) + std::chrono::duration_cast<core::millis>(sched.clock().now() - t0);
  }

  actors::supervisor_env env() {
    if (!runner) {
      actors::task_runner_config rc;
      rc.capacity = capacity;
      rc.env.metadata = metadata;
      rc.spawn = fake_spawner(fakes, store);
      runner = actors::spawn_task_runner(sys, std::move(rc));
      to_stop.push_back(caf::actor_cast<caf::actor>(runner));
      listener = sys.spawn(summary_log, metadata, &summaries, &started, &scaled);
      to_stop.push_back(caf::actor_cast<caf::actor>(listener));
    }
    actors::supervisor_env e;
    e.metadata = metadata;
    e.runner = runner;
    e.open_probe = [s = stream](const core::supervisor_spec&) {
      return caf::expected<std::unique_ptr<adapters::stream_reader>>{
          std::make_unique<fake_reader>(s)};
    };
    e.probe_placement = actors::placement::scheduled;
    e.clock = [this] { return now(); };
    return e;
  }

  actors::supervisor_actor start(core::supervisor_spec spec) {
    auto e = env();
    auto sup = actors::spawn_supervisor(sys, std::move(spec), listener, std::move(e));
    to_stop.push_back(caf::actor_cast<caf::actor>(sup));
    sched.run();
    return sup;
  }

  /// Lets `seconds` pass one second at a time, running every actor in between.
  void step(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      sched.advance_time(std::chrono::seconds{1});
      sched.run();
    }
  }

  core::json status(const actors::supervisor_actor& sup) {
    auto r = call<msg::supervisor_report>(sup, msg::get_supervisor_status{});
    REQUIRE(r);
    return r->payload;
  }

  std::string state_of(const actors::supervisor_actor& sup) {
    return status(sup).find("detailedState")->as_string();
  }

  /// Live fake tasks, in creation order of their ids.
  std::vector<std::shared_ptr<fake_task_control>> live() {
    std::vector<std::shared_ptr<fake_task_control>> out;
    for (auto& [_, c] : fakes)
      if (c->alive) out.push_back(c);
    return out;
  }

  /// Live fake tasks of a group that are still reading (no final end).
  std::vector<std::shared_ptr<fake_task_control>> reading(int32_t group = -1) {
    std::vector<std::shared_ptr<fake_task_control>> out;
    for (auto& c : live())
      if (!c->end && (group < 0 || c->spec.group_id == group)) out.push_back(c);
    return out;
  }

  /// Moves every reading task forward by `n` on each of its partitions.
  void read(int64_t n) {
    for (auto& c : reading())
      for (auto& [_, o] : c->position) o += n;
  }

  /// Lets a task publish what it was told (or fail, when told so).
  void publish(const std::shared_ptr<fake_task_control>& c) {
    caf::anon_send(c->handle, actors::publish_atom::value);
    sched.run();
  }

  /// Writes the "wiki" supervisor's offsets row.
  void commit_row(core::offset_map offsets) {
    REQUIRE_FALSE(store->reset_offsets(
        "wiki",
        core::committed_offsets{"kafka", "wiki", std::move(offsets), std::nullopt, {}}));
  }

  core::offset_map committed(const std::string& id) {
    auto row = store->committed_offsets(id);
    REQUIRE(row);
    return row->has_value() ? (*row)->offsets : core::offset_map{};
  }
};

}  // namespace sv::test
