#pragma once
// A metadata_store decorator for fault injection in actor tests: forwards to a
// real store, but the next N calls of a chosen operation fail with
// store_unavailable first, or find the id they must create already taken.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/errc.hpp"
#include "adapters/metadata_store.hpp"

namespace sv::test {

class faulty_store final : public adapters::metadata_store {
 public:
  explicit faulty_store(std::unique_ptr<adapters::metadata_store> inner)
      : inner_(std::move(inner)) {}

  /// The next `n` calls of `op` ("append_spec", "latest_specs", ...) fail.
  void fail_next(const std::string& op, int n) {
    std::lock_guard<std::mutex> g{mtx_};
    failures_[op] = n;
  }
  /// The next `n` begin_backfill calls find their backfill id taken: a spec
  /// version of that id is written just before them (the ids are recorded).
  void take_next_backfill_ids(int n) {
    std::lock_guard<std::mutex> g{mtx_};
    squats_ = n;
  }
  std::vector<std::string> squatted() {
    std::lock_guard<std::mutex> g{mtx_};
    return squatted_;
  }
  int calls(const std::string& op) {
    std::lock_guard<std::mutex> g{mtx_};
    return calls_[op];
  }
  /// Blocks until `op` was called at least `n` times (or `timeout` passes).
  bool wait_for_calls(const std::string& op, int n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> g{mtx_};
    return called_.wait_for(g, timeout, [&] { return calls_[op] >= n; });
  }

  /// Called with the supervisor id on every committed_offsets call (one per
  /// supervisor run), from the store's thread; set before the store is used.
  void observe_row_reads(std::function<void(const std::string&)> f) {
    row_read_ = std::move(f);
  }

  void fence_leader_writes(std::optional<adapters::leader_fence> f) override {
    inner_->fence_leader_writes(std::move(f));
  }

  caf::expected<core::spec_version> append_spec(const std::string& id,
                                                const core::json& p) override {
    if (auto e = fault("append_spec")) return e;
    return inner_->append_spec(id, p);
  }
  caf::expected<std::vector<core::spec_version>> latest_specs() override {
    if (auto e = fault("latest_specs")) return e;
    return inner_->latest_specs();
  }
  caf::expected<std::vector<core::spec_version>> spec_history(
      const std::optional<std::string>& id, std::optional<int32_t> n) override {
    if (auto e = fault("spec_history")) return e;
    return inner_->spec_history(id, n);
  }
  caf::expected<std::optional<core::committed_offsets>> committed_offsets(
      const std::string& s) override {
    if (auto e = fault("committed_offsets")) return e;
    if (row_read_) row_read_(s);
    return inner_->committed_offsets(s);
  }
  caf::error reset_offsets(const std::string& s,
                           const core::committed_offsets& o) override {
    if (auto e = fault("reset_offsets")) return e;
    return inner_->reset_offsets(s, o);
  }
  caf::expected<core::committed_offsets> edit_offsets(
      const std::string& s, const std::string& type, const std::string& stream,
      const core::offset_map& set, const std::vector<core::partition_id>& drop,
      const core::offset_map& if_absent) override {
    if (auto e = fault("edit_offsets")) return e;
    return inner_->edit_offsets(s, type, stream, set, drop, if_absent);
  }
  caf::expected<core::spec_version> begin_backfill(
      const std::string& s, const std::string& type, const std::string& stream,
      const core::offset_jump& jump, const std::string& backfill_id,
      const core::json& spec, const core::audit_record& audit) override {
    if (auto e = fault("begin_backfill")) return e;
    if (squat("begin_backfill")) {
      auto v =
          inner_->append_spec(backfill_id, core::json::make_object({{"id", "other"}}));
      if (!v) return v.error();
      std::lock_guard<std::mutex> g{mtx_};
      squatted_.push_back(backfill_id);
    }
    return inner_->begin_backfill(s, type, stream, jump, backfill_id, spec, audit);
  }
  caf::expected<bool> delete_offsets(const std::string& s) override {
    if (auto e = fault("delete_offsets")) return e;
    return inner_->delete_offsets(s);
  }
  caf::expected<core::publish_result> publish(const core::publish_request& r) override {
    if (auto e = fault("publish")) return e;
    return inner_->publish(r);
  }
  caf::expected<std::vector<core::segment_record>> segments(const std::string& ds,
                                                            bool u) override {
    if (auto e = fault("segments")) return e;
    return inner_->segments(ds, u);
  }
  caf::expected<std::vector<std::string>> data_sources() override {
    return inner_->data_sources();
  }
  caf::error upsert_task(const core::task_record& t) override {
    if (auto e = fault("upsert_task")) return e;
    return inner_->upsert_task(t);
  }
  caf::expected<std::optional<core::task_record>> task(const std::string& id) override {
    return inner_->task(id);
  }
  caf::expected<std::vector<core::task_record>> tasks(
      const core::task_filter& f) override {
    return inner_->tasks(f);
  }
  caf::expected<core::audit_record> append_audit(const core::audit_record& r) override {
    if (auto e = fault("append_audit")) return e;
    return inner_->append_audit(r);
  }
  caf::expected<std::vector<core::audit_record>> audit(
      const std::optional<std::string>& k, std::optional<int32_t> n) override {
    return inner_->audit(k, n);
  }
  caf::error persist_lock(const core::locks::lock_request& r) override {
    if (auto e = fault("persist_lock")) return e;
    return inner_->persist_lock(r);
  }
  caf::error drop_locks(const std::string& task_id) override {
    if (auto e = fault("drop_locks")) return e;
    return inner_->drop_locks(task_id);
  }
  caf::expected<std::vector<core::locks::lock_request>> task_locks() override {
    if (auto e = fault("task_locks")) return e;
    return inner_->task_locks();
  }
  caf::expected<int32_t> schema_version() override { return inner_->schema_version(); }
  std::string kind() const override { return inner_->kind(); }

 private:
  caf::error fault(const std::string& op) {
    std::lock_guard<std::mutex> g{mtx_};
    ++calls_[op];
    called_.notify_all();
    auto& n = failures_[op];
    if (n <= 0) return {};
    --n;
    return adapters::make_error(adapters::errc::store_unavailable,
                                "injected: " + op + " failed");
  }

  bool squat(const std::string&) {
    std::lock_guard<std::mutex> g{mtx_};
    if (squats_ <= 0) return false;
    --squats_;
    return true;
  }

  std::unique_ptr<adapters::metadata_store> inner_;
  std::function<void(const std::string&)> row_read_;
  int squats_ = 0;
  std::vector<std::string> squatted_;
  std::mutex mtx_;
  std::map<std::string, int> failures_;
  std::map<std::string, int> calls_;
  std::condition_variable called_;
};

}  // namespace sv::test
