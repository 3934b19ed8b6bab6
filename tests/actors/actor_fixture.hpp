#pragma once
// Deterministic actor tests: CAF's test coordinator (single thread, virtual
// time), a hidden scoped actor to talk to the actors under test, and a
// metadata actor on a real SQLite store wrapped for fault injection.

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <doctest/doctest.h>

#include "actors/metadata_actor.hpp"
#include "adapters/metadata_store.hpp"
#include "core/errc.hpp"
#include "messages/type_ids.hpp"
#include "tests/actors/faulty_store.hpp"

namespace sv::test {

struct actor_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<faulty_store> store;
  actors::metadata_actor metadata;

  static caf::actor_system_config& init(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    c.set("logger.inline-output", true);
    msg::register_message_types(c);
    return c;
  }

  actor_fixture()
      : sys(init(cfg)),
        self(sys, true),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    auto inner = adapters::open_metadata_store("sqlite::memory:");
    REQUIRE(inner);
    store = std::make_shared<faulty_store>(std::move(*inner));
    metadata = actors::spawn_metadata_actor(sys, store, actors::placement::scheduled);
  }

  ~actor_fixture() {
    for (auto& h : to_stop) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(metadata, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Sends a request, runs every actor until idle, returns the reply.
  template <class Reply, class Handle, class Request>
  caf::expected<Reply> call(const Handle& dest, Request req) {
    auto handle = self->request(dest, caf::infinite, std::move(req));
    sched.run();
    caf::expected<Reply> out{caf::error{}};
    bool got = false;
    std::move(handle).receive(
        [&](Reply& r) {
          out = std::move(r);
          got = true;
        },
        [&](caf::error& e) {
          out = std::move(e);
          got = true;
        });
    REQUIRE(got);
    return out;
  }

  /// Actors to stop when the test ends.
  std::vector<caf::actor> to_stop;
};

}  // namespace sv::test
