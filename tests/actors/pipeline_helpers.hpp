#pragma once
// Helpers of the pipeline tests: the ids a build wrote, a scripted reader that
// injects faults, and generated events spread over two partitions.

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "adapters/errc.hpp"
#include "adapters/segment/segment_file.hpp"
#include "adapters/stream_reader.hpp"
#include "core/event_generator.hpp"
#include "core/json.hpp"
#include "core/records.hpp"

namespace sv::test {

using core::offset_map;

// The ids in the segments a build pushed, each as often as it was written.
inline std::multiset<std::string> built_ids(
    const std::vector<core::segment_record>& built) {
  std::multiset<std::string> ids;
  for (const auto& r : built) {
    auto data = adapters::read_segment(r.path);
    REQUIRE_MESSAGE(data, core::error_message(data.error()));
    for (size_t i = 0; i < data->rows(); ++i)
      ids.insert(data->row_json(i).find("id")->as_string());
  }
  return ids;
}

// Fault injection: serves prepared records (values[p][offset] of partitions
// "0", "1", ...) in batches of `batch`, the partitions in turn, and fails the
// poll numbered `fail_at` (from 1) without consuming anything. Every poll is
// counted. It serves the partitions assigned (all of them until an assign).
// Its records stay valid until it is destroyed.
class scripted_reader final : public adapters::stream_reader {
 public:
  scripted_reader(const std::vector<std::vector<std::string>>& values, size_t batch,
                  int fail_at, std::shared_ptr<std::atomic<int>> polls)
      : values_(values), batch_(batch), fail_at_(fail_at), polls_(std::move(polls)) {
    for (size_t p = 0; p < values_.size(); ++p) ids_.push_back(std::to_string(p));
    next_.assign(values_.size(), 0);
    assigned_.assign(values_.size(), true);
  }
  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds) override {
    return ids_;
  }
  caf::expected<offset_map> earliest_offsets(const std::vector<core::partition_id>& ps,
                                             std::chrono::milliseconds) override {
    offset_map m;
    for (const auto& p : ps) m[p] = 0;
    return m;
  }
  caf::expected<offset_map> latest_offsets(const std::vector<core::partition_id>& ps,
                                           std::chrono::milliseconds) override {
    offset_map m;
    for (const auto& p : ps) m[p] = static_cast<int64_t>(values_[std::stoul(p)].size());
    return m;
  }
  caf::error assign(const offset_map& start) override {
    ++assigns;
    assigned_.assign(values_.size(), false);
    for (const auto& [p, at] : start) {
      next_[std::stoul(p)] = static_cast<size_t>(at.value());
      assigned_[std::stoul(p)] = true;
    }
    return {};
  }
  int assigns = 0;  ///< assign calls (stop_reading's too, by default)
  caf::expected<size_t> poll(adapters::record_batch& out, size_t max,
                             std::chrono::milliseconds) override {
    out.clear();
    if (++*polls_ == fail_at_)
      return adapters::make_error(adapters::errc::stream_unreachable, "injected failure");
    out.partitions = ids_;
    size_t limit = std::min(max, batch_);
    for (bool any = true; any && out.size() < limit;) {
      any = false;
      for (size_t p = 0; p < values_.size() && out.size() < limit; ++p) {
        if (!assigned_[p] || next_[p] >= values_[p].size()) continue;
        adapters::stream_record r;
        r.slot = static_cast<uint32_t>(p);
        r.offset = static_cast<int64_t>(next_[p]);
        r.value = values_[p][next_[p]++];
        out.records.push_back(r);
        any = true;
      }
    }
    return out.size();
  }
  bool independent_batches() const override { return true; }
  offset_map position() const override {
    offset_map m;
    for (size_t p = 0; p < ids_.size(); ++p)
      if (assigned_[p]) m[ids_[p]] = static_cast<int64_t>(next_[p]);
    return m;
  }
  void close() override {}

 private:
  const std::vector<std::vector<std::string>>& values_;
  size_t batch_;
  int fail_at_;
  std::shared_ptr<std::atomic<int>> polls_;
  std::vector<core::partition_id> ids_;
  std::vector<size_t> next_;
  std::vector<bool> assigned_;
};

// `n` generated events over partitions "0" and "1" (by turns), with their ids
// added to `ids`.
inline std::vector<std::vector<std::string>> events(const std::string& run, int n,
                                                    std::multiset<std::string>& ids) {
  core::event_generator gen{run, 7};
  std::vector<std::vector<std::string>> values(2);
  auto ts = *core::parse_utc_time("2026-01-01T10:00:00Z");
  for (int i = 0; i < n; ++i) {
    std::string e;
    gen.next(e, ts + core::millis{i * 1000});
    ids.insert((*core::json::parse(e)).find("id")->as_string());
    values[static_cast<size_t>(i % 2)].push_back(std::move(e));
  }
  return values;
}

}  // namespace sv::test
