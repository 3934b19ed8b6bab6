#include "actors/stream_probe_actor.hpp"

#include <caf/all.hpp>

namespace sv::actors {

namespace {

constexpr auto call_timeout = std::chrono::seconds{5};

struct probe_state {
  // Not an aggregate: CAF would otherwise try to construct the state from `self`.
  probe_state() = default;
  core::supervisor_spec spec;
  probe_opener open;
  std::unique_ptr<adapters::stream_reader> reader;
  static inline const char* name = "stream_probe";
};

using self_ptr = stream_probe_actor::stateful_pointer<probe_state>;

caf::expected<msg::stream_snapshot> probe(probe_state& st, bool earliest,
                                          const core::offset_map& lag_from) {
  if (!st.reader) {
    auto r = st.open(st.spec);
    if (!r) return r.error();
    st.reader = std::move(*r);
  }
  msg::stream_snapshot out;
  auto ps = st.reader->partitions(call_timeout);
  if (!ps) return ps.error();
  out.partitions = std::move(*ps);
  out.parents = st.reader->partition_parents();
  if (earliest) {
    auto e = st.reader->earliest_offsets(out.partitions, call_timeout);
    if (!e) return e.error();
    out.earliest = std::move(*e);
  }
  auto l = st.reader->latest_offsets(out.partitions, call_timeout);
  if (!l) return l.error();
  out.latest = std::move(*l);
  if (!lag_from.empty()) {
    auto t = st.reader->time_lag(lag_from, call_timeout);
    if (!t) return t.error();
    out.time_lag = std::move(*t);
  }
  return out;
}

stream_probe_actor::behavior_type probe_behavior(self_ptr self,
                                                 core::supervisor_spec spec,
                                                 probe_opener open) {
  self->state.spec = std::move(spec);
  self->state.open = std::move(open);

  return {
      [self](msg::probe_stream& m) -> caf::result<msg::stream_snapshot> {
        auto& st = self->state;
        auto r = probe(st, m.earliest, m.lag_from);
        if (r) return std::move(*r);
        if (st.reader) {
          st.reader->close();
          st.reader.reset();
        }
        return std::move(r.error());
      },
  };
}

}  // namespace

stream_probe_actor spawn_stream_probe(caf::actor_system& sys, core::supervisor_spec spec,
                                      probe_opener open, placement where) {
  if (where == placement::detached)
    return sys.spawn<caf::detached>(probe_behavior, std::move(spec), std::move(open));
  return sys.spawn(probe_behavior, std::move(spec), std::move(open));
}

}  // namespace sv::actors
