#include "actors/probe_hub.hpp"

#include <algorithm>
#include <chrono>
#include <set>

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

using drain_atom = caf::atom_constant<caf::atom("drain")>;

using worker_actor =
    caf::typed_actor<caf::replies_to<msg::probe_cluster>::with<msg::stream_snapshot>,
                     caf::reacts_to<drain_atom>>;

struct client {
  std::unique_ptr<adapters::stream_reader> reader;
  steady::time_point used{};
  std::vector<core::partition_id> listing;  ///< cluster-wide: every stream's ids
  steady::time_point listed{};
};

struct pending {
  msg::probe_cluster m;
  caf::typed_response_promise<msg::stream_snapshot> rp;
};

struct worker_state {
  worker_state() = default;
  probe_opener open;
  std::map<std::string, client> clients;
  steady::time_point down_until{};
  caf::error down_error;
  std::vector<pending> queue;  ///< requests waiting for the next drain
  bool drain_queued = false;
  static inline const char* name = "stream_probe_worker";
};

using worker_ptr = worker_actor::stateful_pointer<worker_state>;

caf::error open_client(worker_state& st, client& c, const core::supervisor_spec& spec) {
  if (c.reader) return {};
  auto r = st.open(spec);
  if (!r) return r.error();
  c.reader = std::move(*r);
  c.listed = {};
  return {};
}

// A failed call closes its client (the next request opens it afresh); an
// unreachable cluster fails the requests of the next second at once.
void failed(worker_state& st, const std::string& key, const caf::error& err) {
  if (auto i = st.clients.find(key); i != st.clients.end()) {
    if (i->second.reader) i->second.reader->close();
    st.clients.erase(i);
  }
  if (adapters::is(err, adapters::errc::stream_unreachable)) {
    st.down_until = steady::now() + down_window;  // from the failure, not the request
    st.down_error = err;
  }
}

// A client of one stream: the request alone.
void answer_one(worker_state& st, pending& p, steady::time_point now) {
  auto& c = st.clients[p.m.stream];
  caf::expected<msg::stream_snapshot> r = open_client(st, c, *p.m.spec);
  if (c.reader) {
    c.used = now;
    r = probe_reader(*c.reader, p.m.request, call_timeout);
  }
  if (!r) failed(st, p.m.stream, r.error());
  if (r)
    p.rp.deliver(std::move(*r));
  else
    p.rp.deliver(std::move(r.error()));
}

struct wide_item {
  pending* p;
  core::stream::cluster_view view;
  std::vector<core::partition_id> ids;  ///< the view's partitions, cluster ids
};

caf::error list_views(client& c, std::vector<wide_item>& items, steady::time_point now) {
  bool fresh = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fresh || now - c.listed >= listing_age) {
      auto ps = c.reader->partitions(call_timeout);
      if (!ps) return ps.error();
      c.listing = std::move(*ps);
      c.listed = now;
      fresh = true;
    }
    bool missing = false;
    for (auto& it : items) {
      it.view = core::stream::spec_partitions(*it.p->m.spec, c.listing);
      missing = missing || !it.view.found;
    }
    // A topic created since the listing is looked up afresh, once.
    if (!missing || fresh) return {};
    fresh = true;
  }
  return {};
}

// The requests of a cluster-wide client, answered together: one listing, one
// latest-offsets and one earliest-offsets call for all of them.
caf::error answer_wide(worker_state& st, std::vector<pending*>& batch,
                       steady::time_point now) {
  namespace cs = core::stream;
  auto& c = st.clients[""];
  if (auto err = open_client(st, c, *batch.front()->m.spec)) return err;
  c.used = now;
  std::vector<wide_item> items;
  for (auto* p : batch) items.push_back({p, {}, {}});
  if (auto err = list_views(c, items, now)) return err;
  std::set<core::partition_id> latest_ids, earliest_ids;
  for (auto& it : items) {
    for (const auto& p : it.view.partitions)
      it.ids.push_back(cs::to_cluster_id(*it.p->m.spec, p));
    latest_ids.insert(it.ids.begin(), it.ids.end());
    if (it.p->m.request.earliest) earliest_ids.insert(it.ids.begin(), it.ids.end());
  }
  auto latest =
      c.reader->latest_offsets({latest_ids.begin(), latest_ids.end()}, call_timeout);
  if (!latest) return latest.error();
  core::offset_map earliest;
  if (!earliest_ids.empty()) {
    auto e = c.reader->earliest_offsets({earliest_ids.begin(), earliest_ids.end()},
                                        call_timeout);
    if (!e) return e.error();
    earliest = std::move(*e);
  }
  for (auto& it : items) {
    const auto& spec = *it.p->m.spec;
    if (!it.view.found && spec.io.topic) {
      it.p->rp.deliver(
          adapters::make_error(adapters::errc::unknown_topic,
                               "topic [" + *spec.io.topic + "] does not exist"));
      continue;
    }
    msg::stream_snapshot out;
    for (size_t i = 0; i < it.ids.size(); ++i) {
      const auto& p = it.view.partitions[i];
      if (auto l = latest->find(it.ids[i]); l != latest->end()) out.latest[p] = l->second;
      if (it.p->m.request.earliest)
        if (auto e = earliest.find(it.ids[i]); e != earliest.end())
          out.earliest[p] = e->second;
    }
    if (!it.p->m.request.lag_from.empty()) {
      auto t = c.reader->time_lag(cs::to_cluster_ids(spec, it.p->m.request.lag_from),
                                  call_timeout);
      if (!t) {
        it.p->rp.deliver(std::move(t.error()));
        continue;
      }
      out.time_lag = cs::from_cluster_ids(spec, *t);
    }
    out.partitions = std::move(it.view.partitions);
    it.p->rp.deliver(std::move(out));
  }
  return {};
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

// Every request that arrived since the last drain: those of one-stream
// clients one by one, those of the cluster-wide client together.
void drain(worker_ptr self) {
  auto& st = self->state;
  st.drain_queued = false;
  auto batch = std::exchange(st.queue, {});
  auto now = steady::now();
  if (now < st.down_until) {
    for (auto& p : batch) p.rp.deliver(st.down_error);
    return;
  }
  std::vector<pending*> wide;
  for (auto& p : batch) {
    if (core::stream::traits_of(p.m.spec->type).cluster_wide_probe)
      wide.push_back(&p);
    else if (steady::now() < st.down_until)  // an earlier one of this batch failed
      p.rp.deliver(st.down_error);
    else
      answer_one(st, p, now);
  }
  if (!wide.empty())
    if (auto err = answer_wide(st, wide, now)) {
      failed(st, "", err);
      for (auto* p : wide) p->rp.deliver(err);
    }
  close_idle(st, now);
}

worker_actor::behavior_type worker(worker_ptr self, probe_opener open) {
  self->state.open = std::move(open);
  return {
      [self](msg::probe_cluster& m) -> caf::result<msg::stream_snapshot> {
        auto& st = self->state;
        auto rp = self->make_response_promise<msg::stream_snapshot>();
        st.queue.push_back({std::move(m), rp});
        if (!st.drain_queued) {
          st.drain_queued = true;
          self->send(self, drain_atom::value);
        }
        return rp;
      },
      [self](drain_atom) { drain(self); },
  };
}

struct facade_state {
  facade_state() = default;
  std::shared_ptr<const core::supervisor_spec> spec;
  std::string stream;
  worker_actor worker;
  static inline const char* name = "stream_probe";
};

stream_probe_actor::behavior_type facade(
    stream_probe_actor::stateful_pointer<facade_state> self, core::supervisor_spec spec,
    std::string stream, worker_actor w) {
  self->state.spec = std::make_shared<const core::supervisor_spec>(std::move(spec));
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
