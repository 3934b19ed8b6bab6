#include "actors/probe_hub.hpp"

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>

#include "adapters/errc.hpp"
#include "core/stream/cluster_ids.hpp"
#include "core/stream/stream_traits.hpp"

namespace sv::actors {

namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto call_timeout = std::chrono::seconds{5};
/// A cluster-wide listing serves the requests of this long (a missing topic
/// is always looked up afresh).
constexpr auto listing_age = 500ms;
/// After an unreachable error, requests fail at once for this long.
constexpr auto down_window = 1s;
/// Clients unused for this long are closed.
constexpr auto idle_close = std::chrono::minutes{10};

using worker_actor =
    caf::typed_actor<caf::replies_to<msg::probe_cluster>::with<msg::stream_snapshot>>;

struct client {
  std::unique_ptr<adapters::stream_reader> reader;
  steady::time_point used{};
  std::vector<core::partition_id> listing;  ///< cluster-wide: every stream's ids
  steady::time_point listed{};
};

struct worker_state {
  worker_state() = default;
  probe_opener open;
  std::map<std::string, client> clients;
  steady::time_point down_until{};
  caf::error down_error;
  static inline const char* name = "stream_probe_worker";
};

caf::expected<core::stream::cluster_view> view_of(client& c,
                                                  const core::supervisor_spec& spec,
                                                  steady::time_point now, bool fresh) {
  if (fresh || now - c.listed >= listing_age) {
    auto ps = c.reader->partitions(call_timeout);
    if (!ps) return ps.error();
    c.listing = std::move(*ps);
    c.listed = now;
  }
  return core::stream::spec_partitions(spec, c.listing);
}

// A probe on a client that lists every stream of the cluster: the spec's
// partitions picked out of the listing, its ids mapped to the client's.
caf::expected<msg::stream_snapshot> probe_wide(client& c,
                                               const core::supervisor_spec& spec,
                                               const msg::probe_stream& m,
                                               steady::time_point now) {
  namespace cs = core::stream;
  auto view = view_of(c, spec, now, false);
  if (view && !view->found) view = view_of(c, spec, now, true);
  if (!view) return view.error();
  if (!view->found && spec.io.topic)
    return adapters::make_error(adapters::errc::unknown_topic,
                                "topic [" + *spec.io.topic + "] does not exist");
  msg::stream_snapshot out;
  out.partitions = std::move(view->partitions);
  std::vector<core::partition_id> ids;
  ids.reserve(out.partitions.size());
  for (const auto& p : out.partitions) ids.push_back(cs::to_cluster_id(spec, p));
  if (m.earliest) {
    auto e = c.reader->earliest_offsets(ids, call_timeout);
    if (!e) return e.error();
    out.earliest = cs::from_cluster_ids(spec, *e);
  }
  auto l = c.reader->latest_offsets(ids, call_timeout);
  if (!l) return l.error();
  out.latest = cs::from_cluster_ids(spec, *l);
  if (!m.lag_from.empty()) {
    auto t = c.reader->time_lag(cs::to_cluster_ids(spec, m.lag_from), call_timeout);
    if (!t) return t.error();
    out.time_lag = cs::from_cluster_ids(spec, *t);
  }
  return out;
}

caf::expected<msg::stream_snapshot> serve(worker_state& st, const std::string& key,
                                          const msg::probe_cluster& m, bool wide,
                                          steady::time_point now) {
  auto& c = st.clients[key];
  if (!c.reader) {
    auto r = st.open(m.spec);
    if (!r) return r.error();
    c.reader = std::move(*r);
    c.listed = {};
  }
  c.used = now;
  if (wide) return probe_wide(c, m.spec, m.request, now);
  return probe_reader(*c.reader, m.request, call_timeout);
}

void close_idle(worker_state& st, steady::time_point now) {
  for (auto i = st.clients.begin(); i != st.clients.end();) {
    if (now - i->second.used < idle_close) {
      ++i;
      continue;
    }
    if (i->second.reader) i->second.reader->close();
    i = st.clients.erase(i);
  }
}

worker_actor::behavior_type worker(worker_actor::stateful_pointer<worker_state> self,
                                   probe_opener open) {
  self->state.open = std::move(open);
  return {
      [self](msg::probe_cluster& m) -> caf::result<msg::stream_snapshot> {
        auto& st = self->state;
        auto now = steady::now();
        if (now < st.down_until) return st.down_error;
        bool wide = core::stream::traits_of(m.spec.type).cluster_wide_probe;
        auto key = wide ? std::string{} : m.stream;
        auto r = serve(st, key, m, wide, now);
        close_idle(st, now);
        if (r) return std::move(*r);
        if (auto i = st.clients.find(key); i != st.clients.end()) {
          if (i->second.reader) i->second.reader->close();
          st.clients.erase(i);
        }
        if (adapters::is(r.error(), adapters::errc::stream_unreachable)) {
          st.down_until = now + down_window;
          st.down_error = r.error();
        }
        return std::move(r.error());
      },
  };
}

struct facade_state {
  facade_state() = default;
  core::supervisor_spec spec;
  std::string stream;
  worker_actor worker;
  static inline const char* name = "stream_probe";
};

stream_probe_actor::behavior_type facade(
    stream_probe_actor::stateful_pointer<facade_state> self, core::supervisor_spec spec,
    std::string stream, worker_actor w) {
  self->state.spec = std::move(spec);
  self->state.stream = std::move(stream);
  self->state.worker = std::move(w);
  return {
      [self](msg::probe_stream& m) -> caf::result<msg::stream_snapshot> {
        auto& st = self->state;
        if (!st.worker)
          return adapters::make_error(adapters::errc::stream_unreachable,
                                      "the node is stopping");
        return self->delegate(st.worker, msg::probe_cluster{st.spec, st.stream, m});
      },
  };
}

}  // namespace

struct probe_hub::impl {
  caf::actor_system& sys;
  probe_opener open;
  source_fn source;
  placement where;
  mutable std::mutex mtx;
  std::map<std::string, worker_actor> workers;
  bool stopped = false;
};

probe_hub::probe_hub(caf::actor_system& sys, probe_opener open, source_fn source,
                     placement where)
    : impl_(new impl{sys, std::move(open), std::move(source), where, {}, {}}) {}

probe_hub::~probe_hub() {
  stop();
}

void probe_hub::stop() {
  std::lock_guard<std::mutex> g{impl_->mtx};
  impl_->stopped = true;
  for (auto& [_, w] : impl_->workers)
    caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  impl_->workers.clear();
}

stream_probe_actor probe_hub::probe_for(const core::supervisor_spec& spec) {
  auto src = impl_->source(spec);
  worker_actor w;
  {
    std::lock_guard<std::mutex> g{impl_->mtx};
    auto& slot = impl_->workers[src.cluster];
    if (!slot && !impl_->stopped) {
      slot = impl_->where == placement::detached
                 ? impl_->sys.spawn<caf::detached>(worker, impl_->open)
                 : impl_->sys.spawn(worker, impl_->open);
    }
    w = slot;
    if (impl_->stopped) impl_->workers.clear();
  }
  return impl_->sys.spawn(facade, spec, std::move(src.stream), std::move(w));
}

size_t probe_hub::clusters() const {
  std::lock_guard<std::mutex> g{impl_->mtx};
  return impl_->workers.size();
}

}  // namespace sv::actors
