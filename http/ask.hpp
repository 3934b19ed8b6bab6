#pragma once
// Blocking request from an HTTP worker thread to an actor: one fresh
// scoped_actor per call (a reused one leaks timeout messages in CAF 0.17).

#include <chrono>

#include <caf/all.hpp>

namespace sv::http {

template <class Reply, class Handle, class Request>
caf::expected<Reply> ask(caf::actor_system& sys, const Handle& dest,
                         std::chrono::milliseconds timeout, Request req) {
  caf::scoped_actor self{sys};
  caf::expected<Reply> out{caf::error{}};
  self->request(dest, timeout, std::move(req))
      .receive([&](Reply& r) { out = std::move(r); },
               [&](caf::error& e) { out = std::move(e); });
  return out;
}

}  // namespace sv::http
