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

caf::expected<msg::stream_snapshot> probe(probe_state& st, const msg::probe_stream& m) {
  if (!st.reader) {
    auto r = st.open(st.spec);
    if (!r) return r.error();
    st.reader = std::move(*r);
  }
  return probe_reader(*st.reader, m, call_timeout);
}

stream_probe_actor::behavior_type probe_behavior(self_ptr self,
                                                 core::supervisor_spec spec,
                                                 probe_opener open) {
  self->state.spec = std::move(spec);
  self->state.open = std::move(open);

  return {
      [self](msg::probe_stream& m) -> caf::result<msg::stream_snapshot> {
        auto& st = self->state;
        auto r = probe(st, m);
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

caf::expected<msg::stream_snapshot> probe_reader(adapters::stream_reader& reader,
                                                 const msg::probe_stream& m,
                                                 std::chrono::milliseconds timeout) {
  msg::stream_snapshot out;
  auto ps = reader.partitions(timeout);
  if (!ps) return ps.error();
  out.partitions = std::move(*ps);
  out.parents = reader.partition_parents();
  if (m.earliest) {
    auto e = reader.earliest_offsets(out.partitions, timeout);
    if (!e) return e.error();
    out.earliest = std::move(*e);
  }
  auto l = reader.latest_offsets(out.partitions, timeout);
  if (!l) return l.error();
  out.latest = std::move(*l);
  if (!m.lag_from.empty()) {
    auto t = reader.time_lag(m.lag_from, timeout);
    if (!t) return t.error();
    out.time_lag = std::move(*t);
  }
  return out;
}

stream_probe_actor spawn_stream_probe(caf::actor_system& sys, core::supervisor_spec spec,
                                      probe_opener open, placement where) {
  if (where == placement::detached)
    return sys.spawn<caf::detached>(probe_behavior, std::move(spec), std::move(open));
  return sys.spawn(probe_behavior, std::move(spec), std::move(open));
}

}  // namespace sv::actors
