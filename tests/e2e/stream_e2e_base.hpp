#pragma once
// What the e2e tests of every stream type share, whatever the stream: a node
// (node_fixture), its metadata store, the ids produced so far, the
// supervisor's status and committed offsets, and the exactly-once check that
// reads the published segments back. A fixture per stream type adds how to
// produce and where the stream ends.

#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/metadata_store.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/event_generator.hpp"
#include "tests/http/node_fixture.hpp"

namespace sv::test {

class stream_e2e_base : public node_fixture {
 public:
  virtual ~stream_e2e_base() = default;
  explicit stream_e2e_base(std::string sup_id, uint64_t seed)
      : id(std::move(sup_id)), gen{id, seed} {
    auto s = adapters::open_metadata_store(options().metadata_uri);
    REQUIRE(s);
    store = std::move(*s);
  }

  std::string sup(const std::string& rest = "") {
    return "/druid/indexer/v1/supervisor/" + id + rest;
  }

  core::offset_map committed(const std::string& sup_id = "") {
    auto row = store->committed_offsets(sup_id.empty() ? id : sup_id);
    REQUIRE(row);
    return row->has_value() ? (*row)->offsets : core::offset_map{};
  }

  core::json status(const std::string& sup_id = "") {
    auto r =
        get("/druid/indexer/v1/supervisor/" + (sup_id.empty() ? id : sup_id) + "/status");
    REQUIRE(r.status == 200);
    return *r.json().find("payload");
  }

  void wait_state(const std::string& state,
                  std::chrono::seconds timeout = std::chrono::seconds{60},
                  const std::string& sup_id = "") {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto s = status(sup_id);
      if (s.find("detailedState")->as_string() == state) return;
      if (std::chrono::steady_clock::now() > deadline)
        FAIL("state " << s.find("detailedState")->as_string() << ", wanted " << state);
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  }

  /// Where the stream ends now (its latest offsets).
  virtual core::offset_map stream_end() = 0;

  /// Waits until the committed row reaches `end`.
  void wait_committed(const core::offset_map& end,
                      std::chrono::seconds timeout = std::chrono::seconds{120}) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (committed() != end) {
      if (std::chrono::steady_clock::now() > deadline)
        FAIL("not caught up: committed " << core::to_json(committed()).dump()
                                         << ", stream end " << core::to_json(end).dump());
      std::this_thread::sleep_for(std::chrono::milliseconds{250});
    }
  }

  /// Waits until the committed row reaches the stream's end as it is now.
  void wait_caught_up(std::chrono::seconds timeout = std::chrono::seconds{120}) {
    wait_committed(stream_end(), timeout);
  }

  /// The next event (its id noted as produced), timed 10 ms after the last.
  std::string next_event() {
    std::string e;
    std::lock_guard<std::mutex> g{mtx};
    gen.next(e, base + core::millis{static_cast<int64_t>(gen.sequence()) * 10});
    produced.insert(core::json::parse(e)->find("id")->as_string());
    return e;
  }

  /// Every produced id is in the segments once, and nothing else is.
  void check_exactly_once() {
    std::map<std::string, int> got;
    auto segs = store->segments(id, true);
    REQUIRE(segs);
    for (const auto& s : *segs) {
      auto data = adapters::read_segment(s.path);
      REQUIRE_MESSAGE(data, core::error_message(data.error()));
      for (size_t r = 0; r < data->rows(); ++r)
        ++got[data->row_json(r).find("id")->as_string()];
    }
    std::lock_guard<std::mutex> g{mtx};
    size_t missing = 0, duplicated = 0, unexpected = 0;
    for (const auto& i : produced) {
      auto it = got.find(i);
      if (it == got.end())
        ++missing;
      else if (it->second > 1)
        ++duplicated;
    }
    for (const auto& [k, _] : got)
      if (!produced.count(k)) ++unexpected;
    INFO("produced " << produced.size() << ", published " << got.size());
    CHECK(missing == 0);
    CHECK(duplicated == 0);
    CHECK(unexpected == 0);
  }

  const std::string id;
  std::unique_ptr<adapters::metadata_store> store;
  std::mutex mtx;
  std::set<std::string> produced;
  core::event_generator gen;
  core::utc_time base = *core::parse_utc_time("2026-01-01T10:00:00Z");
};

}  // namespace sv::test
