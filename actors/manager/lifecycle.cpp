// The manager's lifecycle requests: a reset-and-backfill's backfill
// supervisor created atomically with its source's jump, and the node's
// graceful shutdown.

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/manager/manager_state.hpp"
#include "adapters/errc.hpp"
#include "core/errc.hpp"

namespace sv::actors::manager {

// A reset-and-backfill's backfill supervisor: its spec, the source row's
// jump and the audit row commit in one transaction, then it starts. While the
// transaction is in flight its id is reserved, so nothing else can take it.
caf::result<msg::ack> create_backfill(self_ptr self, msg::create_backfill_supervisor& m) {
  auto& st = self->state;
  const auto id = m.spec.id;
  if (st.shutdown)
    return core::make_error(core::errc::unavailable, "the node is stopping");
  if (st.supervisors.count(id) || st.creating.count(id))
    return core::make_error(core::errc::conflict,
                            "supervisor [" + id + "] already exists");
  st.creating.insert(id);
  auto rp = self->make_response_promise<msg::ack>();
  self->request(st.metadata, store_timeout, std::move(m.begin))
      .then(
          [self, rp, spec = std::move(m.spec)](core::spec_version&) mutable {
            self->state.creating.erase(spec.id);
            spdlog::info("backfill supervisor [{}] created", spec.id);
            apply(self, std::move(spec));
            rp.deliver(msg::ack{});
          },
          [self, rp, id](caf::error& err) mutable {
            self->state.creating.erase(id);
            if (adapters::is(err, adapters::errc::id_taken))
              err = core::make_error(core::errc::conflict, core::error_message(err));
            rp.deliver(std::move(err));
          });
  return rp;
}

// Answers the node's shutdown request once no supervisor is left.
void maybe_shut_down(self_ptr self) {
  auto& st = self->state;
  if (!st.shutdown || !st.supervisors.empty() || !st.retiring.empty()) return;
  spdlog::info("every supervisor has stopped");
  st.shutdown->deliver(msg::ack{});
}

caf::result<msg::ack> shut_down(self_ptr self) {
  auto& st = self->state;
  if (st.shutdown) return core::make_error(core::errc::conflict, "already stopping");
  st.shutdown = self->make_response_promise<msg::ack>();
  spdlog::info("stopping {} supervisors: reading groups publish what they read",
               st.supervisors.size());
  for (auto& [id, e] : st.supervisors)
    self->request(e.handle, caf::infinite, msg::stop_supervisor{})
        .then([](msg::ack&) {}, [](caf::error&) {});
  auto rp = *st.shutdown;
  maybe_shut_down(self);
  return rp;
}

}  // namespace sv::actors::manager
