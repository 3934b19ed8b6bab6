#pragma once
// Test doubles for supervisor tests under the deterministic scheduler:
// a stream whose partitions and offsets the test sets (and can take down),
// and task actors that speak the task chat API but whose reading and
// publishing the test drives. Publishing goes to the real metadata store.

#include <map>
#include <memory>
#include <string>

#include <caf/all.hpp>

#include "actors/task_actor.hpp"
#include "adapters/errc.hpp"
#include "adapters/metadata_store.hpp"
#include "adapters/stream_reader.hpp"
#include "core/errc.hpp"

namespace sv::test {

struct fake_stream {
  int partitions = 2;
  core::stream_offset earliest = 0;
  core::stream_offset latest = 1000;
  bool down = false;
  int probes = 0;
};

class fake_reader final : public adapters::stream_reader {
 public:
  explicit fake_reader(std::shared_ptr<fake_stream> s) : s_(std::move(s)) {}

  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds) override {
    ++s_->probes;
    if (s_->down) return unreachable();
    std::vector<core::partition_id> out;
    for (int p = 0; p < s_->partitions; ++p) out.push_back(std::to_string(p));
    return out;
  }
  caf::expected<core::offset_map> earliest_offsets(
      const std::vector<core::partition_id>& ps, std::chrono::milliseconds) override {
    return fill(ps, s_->earliest);
  }
  caf::expected<core::offset_map> latest_offsets(
      const std::vector<core::partition_id>& ps, std::chrono::milliseconds) override {
    return fill(ps, s_->latest);
  }
  caf::error assign(const core::offset_map&) override { return unsupported(); }
  caf::expected<size_t> poll(adapters::record_batch&, size_t,
                             std::chrono::milliseconds) override {
    return unsupported();
  }
  core::offset_map position() const override { return {}; }
  void close() override {}

 private:
  caf::expected<core::offset_map> fill(const std::vector<core::partition_id>& ps,
                                       core::stream_offset o) {
    if (s_->down) return unreachable();
    core::offset_map m;
    for (const auto& p : ps) m[p] = o;
    return m;
  }
  static caf::error unreachable() {
    return adapters::make_error(adapters::errc::stream_unreachable,
                                "all brokers are down");
  }
  static caf::error unsupported() {
    return core::make_error(core::errc::unsupported, "the fake stream has no records");
  }
  std::shared_ptr<fake_stream> s_;
};

/// What the test sees of, and does to, one fake task.
struct fake_task_control {
  core::task::task_spec spec;
  actors::task_listener listener;
  actors::task_actor handle;
  core::offset_map position;  ///< "read so far"; the test moves it
  bool paused = false;
  bool alive = true;
  std::optional<core::offset_map> end;  ///< final end offsets, once told
  std::optional<core::offset_map> commit_as;
  std::vector<core::offset_map> checkpoints;  ///< non-final end offsets received
  bool fail_publish = false;                  ///< the next publish_atom fails the task
  bool refuse_pause = false;
};

using fake_registry = std::map<std::string, std::shared_ptr<fake_task_control>>;

namespace detail {

struct fake_task_state {
  fake_task_state() = default;
  std::shared_ptr<fake_task_control> ctl;
  std::shared_ptr<adapters::metadata_store> store;
  static inline const char* name = "fake_task";
};

inline void fake_finish(actors::task_actor::stateful_pointer<fake_task_state> self,
                        bool ok, const std::string& error) {
  auto& c = *self->state.ctl;
  self->send(c.listener,
             msg::task_finished{c.spec.id, c.spec.group_id, ok, error, core::json{}});
  self->quit(ok ? caf::exit_reason::normal : caf::exit_reason::user_shutdown);
}

// Publishes what the task was told: [last checkpoint or start, end) as an
// offsets-only publish, the way a real task's final sequence is published.
inline void fake_publish(actors::task_actor::stateful_pointer<fake_task_state> self) {
  auto& c = *self->state.ctl;
  if (c.fail_publish || !c.end)
    return fake_finish(self, false, "publish failed (injected)");
  core::publish_request req;
  req.supervisor_id = c.spec.supervisor_id;
  req.type = c.spec.spec.type;
  req.stream = c.spec.spec.stream();
  req.start = c.checkpoints.empty() ? c.spec.start : c.checkpoints.back();
  req.end = *c.end;
  req.commit_as = c.commit_as ? *c.commit_as : *c.end;
  req.bounded = c.spec.bounded;
  auto r = self->state.store->publish(req);
  if (!r) return fake_finish(self, false, core::error_message(r.error()));
  if (r->outcome != core::publish_outcome::committed)
    return fake_finish(self, false,
                       "publish " + std::string{core::to_string(r->outcome)});
  fake_finish(self, true, "");
}

inline actors::task_actor::behavior_type fake_task(
    actors::task_actor::stateful_pointer<fake_task_state> self,
    std::shared_ptr<fake_task_control> ctl,
    std::shared_ptr<adapters::metadata_store> store) {
  self->state.ctl = ctl;
  self->state.store = std::move(store);
  self->attach_functor([ctl] { ctl->alive = false; });
  return {
      [self](msg::get_task_status&) {
        auto& c = *self->state.ctl;
        return msg::task_status_reply{c.paused ? "PAUSED"
                                      : c.end  ? "PUBLISHING"
                                               : "READING",
                                      ""};
      },
      [self](msg::pause_task&) -> caf::result<msg::offsets_msg> {
        auto& c = *self->state.ctl;
        if (c.refuse_pause) return core::make_error(core::errc::unavailable, "no answer");
        c.paused = true;
        return msg::offsets_msg{c.position};
      },
      [self](msg::resume_task&) -> msg::ack {
        self->state.ctl->paused = false;
        return {};
      },
      [self](msg::get_current_offsets&) {
        return msg::offsets_msg{self->state.ctl->position};
      },
      [self](msg::get_end_offsets&) {
        return msg::offsets_msg{self->state.ctl->end.value_or(core::offset_map{})};
      },
      [self](msg::set_end_offsets& m) -> caf::result<msg::ack> {
        auto& c = *self->state.ctl;
        if (!c.paused)
          return core::make_error(core::errc::conflict,
                                  "Task must be paused before changing "
                                  "the end offsets");
        if (m.finish) {
          c.end = m.end;
          c.commit_as = m.commit_as;
        } else {
          c.checkpoints.push_back(m.end);
        }
        c.paused = false;
        return msg::ack{};
      },
      [](msg::get_checkpoints&) { return msg::checkpoints_msg{}; },
      [self](msg::stop_task&) -> msg::ack {
        auto& c = *self->state.ctl;
        if (!c.end) c.end = c.position;
        return {};
      },
      [self](msg::get_row_stats&) {
        return core::json::make_object(
            {{"totals", core::json::make_object(
                            {{"buildSegments",
                              core::json::make_object({{"processed", int64_t{42}}})}})}});
      },
      [](msg::set_listener&) { return msg::ack{}; },
      [self](msg::get_task_report&) {
        auto event =
            core::json::make_object({{"timeOfExceptionMillis", int64_t{1}},
                                     {"input", self->state.ctl->spec.id},
                                     {"errorType", "unparseable"},
                                     {"details", core::json{core::json::array{}}}});
        core::json::array events{event};
        auto payload = core::json::make_object(
            {{"unparseableEvents",
              core::json::make_object(
                  {{"buildSegments", core::json{std::move(events)}}})}});
        return core::json::make_object(
            {{"ingestionStatsAndErrors",
              core::json::make_object({{"payload", payload}})}});
      },
      // The test's levers: publish_atom publishes (or fails), persist_atom
      // asks for a checkpoint as a task at maxRowsPerSegment would.
      [self](actors::publish_atom) { fake_publish(self); },
      [self](actors::persist_atom) {
        auto& c = *self->state.ctl;
        c.paused = true;
        self->send(c.listener,
                   msg::checkpoint_requested{
                       c.spec.id, c.spec.group_id,
                       c.checkpoints.empty() ? c.spec.start : c.checkpoints.back()});
      },
      [](msg::lock_granted&) {},
      [](actors::read_atom) {},

      [](actors::build_atom) {},
      [](actors::lock_atom, int64_t) {},
      [](actors::check_atom) {},
      [](actors::wake_atom) {},
      [](actors::built_atom) {},
  };
}

}  // namespace detail

/// A task_spawner making fake tasks registered in `registry`.
inline actors::task_spawner fake_spawner(
    fake_registry& registry, std::shared_ptr<adapters::metadata_store> store) {
  return [&registry, store](caf::actor_system& sys, core::task::task_spec spec,
                            actors::task_env env) {
    auto ctl = std::make_shared<fake_task_control>();
    ctl->spec = spec;
    ctl->position = spec.start;
    ctl->end = spec.end;  // a task created with its end knows it, as a real one does
    ctl->commit_as = spec.commit_as;
    ctl->listener = env.listener;

    auto h = sys.spawn(detail::fake_task, ctl, store);
    ctl->handle = h;
    registry[spec.id] = ctl;
    return h;
  };
}

}  // namespace sv::test
