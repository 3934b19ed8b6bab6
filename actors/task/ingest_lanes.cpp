// How ingest_pipeline shares a batch between its lanes: routing on the task's
// thread (offsets advance here), the second lane on the node's build pool when
// its share is large enough, and what the lanes collected taken back in lane
// order.

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "actors/task/ingest_pipeline.hpp"
#include "core/errc.hpp"

namespace sv::actors {

namespace {

// Below this many records a lane's share runs on the task's thread: handing
// it over would cost more than it saves.
constexpr size_t min_pool_share = 512;

}  // namespace

core::ingest::rollup_index* ingest_pipeline::lane_index(size_t lane, int32_t seq) {
  auto& d = data(seq);
  if (lane == 0) return d.index.get();
  if (!d.side) d.side = new_index();
  return d.side.get();
}

void ingest_pipeline::route(core::task::sequences& seqs) {
  const auto& recs = batch_.records;
  seq_of_.resize(recs.size());
  lane_work_.resize(lanes_.size());
  for (auto& w : lane_work_) {
    w.which.clear();
    w.targets.clear();
  }
  auto lanes = static_cast<uint32_t>(lanes_.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    const auto& rec = recs[i];
    auto partition = slot_numbers_[rec.slot];
    auto seq = seqs.route(partition, rec.offset);
    seqs.advance(partition, rec.offset + 1);
    seq_of_[i] = seq;
    if (seq < 0) continue;  // past the end: not ours
    // By partition, so a partition's rows stay in order in one index.
    auto lane = static_cast<uint32_t>(partition) % lanes;
    auto& w = lane_work_[lane];
    w.which.push_back(static_cast<uint32_t>(i));
    bool known = false;
    for (const auto& t : w.targets) known = known || t.first == seq;
    if (!known) w.targets.emplace_back(seq, lane_index(lane, seq));
  }
}

caf::error ingest_pipeline::run_lanes() {
  auto run = [this](size_t k) {
    auto& w = lane_work_[k];
    if (!w.which.empty())
      lanes_[k]->run(batch_.records, w.which, seq_of_, w.targets, track_chunks_);
  };
  if (lanes_.size() < 2 || lane_work_[1].which.size() < min_pool_share) {
    for (size_t k = 0; k < lanes_.size(); ++k) run(k);
    return {};
  }
  ++lane_counts_.shared;
  bool failed = false;
  auto second = shared_job::post(*env_.builder, [&run, &failed] {
    try {
      run(1);
    } catch (...) {
      failed = true;
    }
  });
  bool failed_here = false;
  try {
    run(0);
  } catch (...) {  // the second lane still reads this batch: wait for it first
    failed_here = true;
  }
  // Rather than wait for the pool's lane, read the next batch meanwhile.
  if (reads_ahead_ && !failed_here) read_ahead();
  if (second->join()) ++lane_counts_.on_pool;
  if (failed || failed_here)
    return core::make_error(core::errc::internal,
                            "a lane of the batch failed; its rows are incomplete");
  return {};
}

void ingest_pipeline::release_batch() {
  // The last batch's release ran meanwhile (or runs now, if the pool was busy).
  if (releasing_) releasing_->join();
  releasing_.reset();
  if (lanes_.size() < 2 || batch_.size() < min_pool_share) {
    batch_.clear();
    return;
  }
  // Its records are freed on the pool while this thread reads the next batch.
  auto held = std::make_shared<adapters::record_batch>(std::move(batch_));
  releasing_ = shared_job::post(*env_.builder, [held] { held->clear(); });
}

void ingest_pipeline::read_ahead() {
  auto n = reader_->poll(ahead_, 10000, std::chrono::milliseconds{0});
  if (!n) {
    ahead_error_ = n.error();
    ahead_state_ = ahead_state::failed;
  } else if (*n > 0) {
    ahead_state_ = ahead_state::records;
    ++lane_counts_.read_ahead;
  }
}

void ingest_pipeline::drop_ahead() {
  ahead_.clear();
  ahead_error_ = caf::error{};
  ahead_state_ = ahead_state::none;
}

void ingest_pipeline::take_lanes(core::utc_time now) {
  for (auto& lane : lanes_) {
    stats_.record(lane->counted(), now);
    for (const auto& n : lane->noted()) count(n.result, n.input, n.bytes, now);
    if (track_chunks_)
      for (auto t : lane->chunk_times())
        if (t < chunk_lo_ || t >= chunk_hi_) note_chunk(t);
    lane->take();
  }
}

}  // namespace sv::actors
