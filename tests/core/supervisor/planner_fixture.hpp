#pragma once
// A reconciler driven by hand: a stream of N partitions with earliest/latest
// offsets, a clock in seconds, and helpers that play the part of the
// supervisor actor (start the created tasks, answer roll-overs).

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/spec/supervisor_spec.hpp"
#include "core/supervisor/reconciler.hpp"

namespace sv::test {

using namespace sv::core;
using namespace sv::core::supervisor;

inline utc_time at(int64_t seconds) {
  // 2026-01-01T00:00:00Z
  return utc_time{std::chrono::milliseconds{1767225600000LL + seconds * 1000}};
}

/// A Kafka spec for topic "wiki" with `io` and `tuning` spliced into ioConfig
/// and tuningConfig (each a list of members, e.g. R"("taskCount":2)").
inline supervisor_spec make_spec(const std::string& io = "",
                                 const std::string& tuning = "",
                                 const std::string& top = "") {
  std::string text = R"({"type":"kafka",)" + top + R"("spec":{
    "dataSchema":{"dataSource":"wiki","timestampSpec":{"column":"ts"},
                  "dimensionsSpec":{"dimensions":[]},
                  "granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{"topic":"wiki","consumerProperties":{"bootstrap.servers":"x:9092"},
                "inputFormat":{"type":"json"})" +
                     (io.empty() ? "" : "," + io) + R"(},
    "tuningConfig":{"type":"kafka")" +
                     (tuning.empty() ? "" : "," + tuning) + "}}}";
  auto r = parse_supervisor_spec_text(text);
  if (!r.ok()) FAIL("bad test spec: " << describe(r.problems));
  return *r.spec;
}

template <class T>
std::vector<T> only(const actions& xs) {
  std::vector<T> out;
  for (const auto& a : xs)
    if (auto* x = std::get_if<T>(&a)) out.push_back(*x);
  return out;
}

inline offset_map offsets(std::initializer_list<std::pair<const char*, int64_t>> xs) {
  offset_map m;
  for (const auto& [p, o] : xs) m[p] = o;
  return m;
}

struct planner {
  std::optional<reconciler> r;
  int partitions = 4;
  int64_t earliest = 0;
  int64_t latest = 1000;
  std::optional<committed_offsets> row;
  bool stream_down = false;

  explicit planner(supervisor_spec spec, reconciler_config cfg = {}) {
    r.emplace(std::move(spec), cfg, at(0));
  }

  offset_map all(int64_t o) const {
    offset_map m;
    for (int p = 0; p < partitions; ++p) m[std::to_string(p)] = o;
    return m;
  }

  /// What the actor does before a run: observe the stream and the row.
  void observe(int64_t s) {
    if (stream_down) {
      r->observe_stream_error("Unable to reach the stream", at(s));
    } else {
      std::vector<partition_id> ps;
      for (int p = 0; p < partitions; ++p) ps.push_back(std::to_string(p));
      r->observe_stream(ps, all(earliest), all(latest), at(s));
    }
    r->observe_committed(row);
  }

  actions run(int64_t s) {
    observe(s);
    return r->run(at(s));
  }

  /// Runs and starts every task it creates.
  actions run_and_start(int64_t s) {
    auto out = run(s);
    for (const auto& c : only<create_task>(out)) r->task_started(c.spec.id, at(s));
    return out;
  }

  /// Answers a roll-over as the actor would: the max offsets read.
  actions finish_roll(const roll_over& ro, const offset_map& end, int64_t s) {
    return r->rolled_over(ro.group, ro.generation, ro.finish, end, at(s));
  }

  /// A committed publish: the row moves to `end` (merged).
  void commit(const offset_map& end) {
    if (!row) row = committed_offsets{"kafka", "wiki", {}, std::nullopt, {}};
    row->offsets = plus(row->offsets, end);
  }

  const task_group& group(int32_t id) const { return r->reading().at(id); }
};

}  // namespace sv::test
