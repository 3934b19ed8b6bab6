#pragma once
// The manager actor's state and the parts of its behaviour that live in files
// of their own (actors/manager/*.cpp); see actors/manager_actor.hpp.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/manager_actor.hpp"

namespace sv::actors::manager {

inline constexpr auto store_timeout = std::chrono::seconds{30};

struct entry {
  supervisor_actor handle;
  core::supervisor_spec spec;
  core::supervisor_summary summary;
};

struct manager_state {
  // Not an aggregate: CAF would otherwise try to construct the state from `self`.
  manager_state() = default;
  metadata_actor metadata;
  supervisor_env env;
  std::map<std::string, entry> supervisors;
  /// Terminated supervisors still waiting for their groups to publish.
  std::vector<supervisor_actor> retiring;
  /// Backfill supervisors whose creating transaction is in flight.
  std::set<std::string> creating;
  /// The node is stopping: answered once every supervisor has quit.
  std::optional<caf::typed_response_promise<msg::ack>> shutdown;
  /// Runs supervisors: always on a single node; on a cluster's overlord
  /// while it leads (cluster_view).
  bool leading = true;
  bool loaded = false;
  std::string load_error;
  static inline const char* name = "manager";
};

using self_ptr = manager_actor::stateful_pointer<manager_state>;

/// Starts or updates the supervisor of `spec` (already persisted).
void apply(self_ptr self, core::supervisor_spec spec);

/// create_backfill_supervisor (lifecycle.cpp).
caf::result<msg::ack> create_backfill(self_ptr self, msg::create_backfill_supervisor& m);

/// shutdown_supervisors: stop every supervisor, answer once all have quit.
caf::result<msg::ack> shut_down(self_ptr self);

/// Answers the shutdown request once no supervisor is left.
void maybe_shut_down(self_ptr self);

}  // namespace sv::actors::manager
