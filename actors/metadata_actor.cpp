#include "actors/metadata_actor.hpp"

#include <caf/all.hpp>

#include "adapters/metadata_store.hpp"
#include "core/errc.hpp"

namespace sv::actors {

namespace {

struct metadata_state {
  // Not an aggregate: CAF would otherwise try to construct the state from `self`.
  metadata_state() = default;
  std::shared_ptr<adapters::metadata_store> store;
  static inline const char* name = "metadata";
};

// Turns expected<T> into a handler result, mapping the value with `f`.
template <class R, class T, class F>
caf::result<R> reply(caf::expected<T>&& x, F&& f) {
  if (!x) return std::move(x.error());
  return f(std::move(*x));
}

metadata_actor::behavior_type metadata_behavior(
    metadata_actor::stateful_pointer<metadata_state> self,
    std::shared_ptr<adapters::metadata_store> store) {
  self->state.store = std::move(store);
  auto& s = *self->state.store;
  return {
      [&s](msg::md_append_spec& m) -> caf::result<core::spec_version> {
        return reply<core::spec_version>(s.append_spec(m.spec_id, m.payload),
                                         [](core::spec_version v) { return v; });
      },
      [&s](msg::md_latest_specs&) -> caf::result<msg::spec_history> {
        return reply<msg::spec_history>(
            s.latest_specs(), [](auto v) { return msg::spec_history{std::move(v)}; });
      },
      [&s](msg::md_spec_history& m) -> caf::result<msg::spec_history> {
        std::optional<std::string> id;
        if (!m.spec_id.empty()) id = m.spec_id;
        std::optional<int32_t> limit;
        if (m.limit > 0) limit = m.limit;
        return reply<msg::spec_history>(s.spec_history(id, limit), [](auto v) {
          return msg::spec_history{std::move(v)};
        });
      },
      [&s](msg::md_get_offsets& m) -> caf::result<msg::offsets_reply> {
        return reply<msg::offsets_reply>(
            s.committed_offsets(m.supervisor_id),
            [](auto v) { return msg::offsets_reply{std::move(v)}; });
      },
      [&s](msg::md_reset_offsets& m) -> caf::result<msg::ack> {
        if (auto err = s.reset_offsets(m.supervisor_id, m.offsets)) return err;
        return msg::ack{};
      },
      [&s](msg::md_edit_offsets& m) -> caf::result<core::committed_offsets> {
        return reply<core::committed_offsets>(
            s.edit_offsets(m.supervisor_id, m.type, m.stream, m.set, m.drop, m.if_absent),
            [](core::committed_offsets o) { return o; });
      },
      [&s](msg::md_begin_backfill& m) -> caf::result<core::spec_version> {
        return reply<core::spec_version>(
            s.begin_backfill(m.supervisor_id, m.type, m.stream, m.jump, m.backfill_id,
                             m.backfill_spec, m.audit),
            [](core::spec_version v) { return v; });
      },
      [&s](msg::md_delete_offsets& m) -> caf::result<bool> {
        return reply<bool>(s.delete_offsets(m.supervisor_id), [](bool b) { return b; });
      },
      [&s](msg::md_publish& m) -> caf::result<core::publish_result> {
        return reply<core::publish_result>(s.publish(m.request),
                                           [](auto r) { return r; });
      },
      [&s](msg::md_segments& m) -> caf::result<msg::segment_list> {
        return reply<msg::segment_list>(
            s.segments(m.data_source, m.used_only),
            [](auto v) { return msg::segment_list{std::move(v)}; });
      },
      [&s](msg::md_data_sources&) -> caf::result<msg::data_source_list> {
        return reply<msg::data_source_list>(
            s.data_sources(), [](auto v) { return msg::data_source_list{std::move(v)}; });
      },
      [&s](msg::md_upsert_task& m) -> caf::result<msg::ack> {
        if (auto err = s.upsert_task(m.task)) return err;
        return msg::ack{};
      },
      [&s](msg::md_get_task& m) -> caf::result<msg::task_list> {
        return reply<msg::task_list>(s.task(m.task_id), [](auto row) {
          msg::task_list out;
          if (row) out.tasks.push_back(std::move(*row));
          return out;
        });
      },
      [&s](msg::md_list_tasks& m) -> caf::result<msg::task_list> {
        return reply<msg::task_list>(s.tasks(m.filter),
                                     [](auto v) { return msg::task_list{std::move(v)}; });
      },
      [&s](msg::md_append_audit& m) -> caf::result<core::audit_record> {
        return reply<core::audit_record>(s.append_audit(m.record),
                                         [](auto r) { return r; });
      },
      [&s](msg::md_audit& m) -> caf::result<msg::audit_list> {
        std::optional<std::string> key;
        if (!m.key.empty()) key = m.key;
        std::optional<int32_t> limit;
        if (m.limit > 0) limit = m.limit;
        return reply<msg::audit_list>(
            s.audit(key, limit), [](auto v) { return msg::audit_list{std::move(v)}; });
      },
      [&s](msg::md_persist_lock& m) -> caf::result<msg::ack> {
        auto r = msg::to_request(m.lock);
        if (!r)
          return core::make_error(core::errc::invalid_input,
                                  "unknown lock type [" + m.lock.type + "]");
        if (auto err = s.persist_lock(*r)) return err;
        return msg::ack{};
      },
      [&s](msg::md_drop_locks& m) -> caf::result<msg::ack> {
        if (auto err = s.drop_locks(m.task_id)) return err;
        return msg::ack{};
      },
      [&s](msg::md_list_locks&) -> caf::result<msg::lock_rows> {
        return reply<msg::lock_rows>(s.task_locks(), [](auto v) {
          msg::lock_rows out;
          for (const auto& r : v) out.locks.push_back(msg::to_message(r));
          return out;
        });
      },
      [&s](msg::md_fence& m) -> msg::ack {
        s.fence_leader_writes(adapters::leader_fence{m.cluster, m.epoch, 0});
        return {};
      },
  };
}

}  // namespace

metadata_actor spawn_metadata_actor(caf::actor_system& sys,
                                    std::shared_ptr<adapters::metadata_store> store,
                                    placement where) {
  if (where == placement::detached)
    return sys.spawn<caf::detached>(metadata_behavior, std::move(store));
  return sys.spawn(metadata_behavior, std::move(store));
}

}  // namespace sv::actors
