#include "actors/lockbox_actor.hpp"

#include <map>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "core/errc.hpp"
#include "core/locks/lock_table.hpp"

namespace sv::actors {

namespace {

using core::locks::lock_table;

struct lockbox_state {
  lockbox_state() = default;
  lock_table table;
  lock_table::ticket next = 1;
  struct pending {
    lock_client client;
    msg::lock_granted granted;
  };
  std::map<lock_table::ticket, pending> waiting;
  std::map<caf::actor_addr, std::vector<std::string>> tasks_of;  ///< monitored
  static inline const char* name = "lockbox";
};

using self_ptr = lockbox_actor::stateful_pointer<lockbox_state>;

void granted(self_ptr self, const std::vector<lock_table::ticket>& tickets) {
  auto& st = self->state;
  for (auto t : tickets) {
    auto i = st.waiting.find(t);
    if (i == st.waiting.end()) continue;
    if (i->second.client) self->send(i->second.client, i->second.granted);
    st.waiting.erase(i);
  }
}

lockbox_actor::behavior_type lockbox(self_ptr self) {
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto i = st.tasks_of.find(dm.source);
    if (i == st.tasks_of.end()) return;
    auto ids = std::move(i->second);
    st.tasks_of.erase(i);
    for (const auto& id : ids) granted(self, st.table.release_task(id));
  });
  return {
      [self](msg::lock_acquire& m) -> caf::result<msg::lock_reply> {
        auto& st = self->state;
        auto type = core::locks::parse_lock_type(m.type);
        if (!type)
          return core::make_error(core::errc::invalid_input,
                                  "unknown lock type [" + m.type + "]");
        core::locks::lock_request r{
            m.datasource, m.group, m.task_id,
            core::locks::time_interval{core::utc_time{core::millis{m.start}},
                                       core::utc_time{core::millis{m.end}}},
            *type};
        auto sender = self->current_sender();
        if (sender) {
          auto addr = caf::actor_cast<caf::actor_addr>(sender);
          auto [it, fresh] = st.tasks_of.try_emplace(addr);
          if (fresh) self->monitor(sender);
          if (std::find(it->second.begin(), it->second.end(), m.task_id) ==
              it->second.end())
            it->second.push_back(m.task_id);
        }
        auto ticket = st.next++;
        auto d = st.table.acquire(ticket, r);
        if (!d.granted) {
          st.waiting.emplace(ticket,
                             lockbox_state::pending{caf::actor_cast<lock_client>(sender),
                                                    msg::lock_granted{m.start, m.end}});
          std::string by;
          for (const auto& g : d.blocked_by) by += (by.empty() ? "" : ", ") + g;
          spdlog::info("lockbox: task [{}] waits for a {} lock on {} {}, held by {}",
                       m.task_id, m.type, m.datasource, r.interval.to_string(), by);
        }
        return msg::lock_reply{d.granted, std::move(d.blocked_by)};
      },
      [self](msg::get_locks&) { return self->state.table.to_json(); },
  };
}

}  // namespace

lockbox_actor spawn_lockbox(caf::actor_system& sys) {
  return sys.spawn(lockbox);
}

}  // namespace sv::actors
