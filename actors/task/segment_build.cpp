// The builds of ingest_pipeline: merging a complete sequence's persisted parts
// with its rows in memory, splitting, writing and pushing its segments, here
// or on the node's build pool.

#include <filesystem>

#include <spdlog/spdlog.h>

#include "actors/task/ingest_pipeline.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/errc.hpp"
#include "core/segment/merge.hpp"
#include "core/spread.hpp"

namespace sv::actors {

namespace fs = std::filesystem;

caf::expected<std::vector<core::segment_record>> ingest_pipeline::build(int32_t seq) {
  auto& d = data(seq);
  if (auto err = reap_persists()) return err;
  if (!d.parts.empty())
    if (auto err = wait_persists(0)) return err;
  return build_segments(seq, *d.index, d.side.get(), d.parts, *schema_);
}

caf::error ingest_pipeline::start_build(int32_t seq, build_pool& pool,
                                        std::function<void()> done) {
  if (building_)
    return core::make_error(core::errc::conflict, "a build is already running");
  auto& d = data(seq);
  if (auto err = reap_persists()) return err;
  // The persists still in flight finish on the pool before the build reads
  // their parts: this thread never waits for them.
  std::vector<std::shared_future<caf::error>> persists;
  if (!d.parts.empty())
    for (const auto& p : persisting_) persists.push_back(p.done);
  auto job = std::make_shared<pending_build>();
  job->seq = seq;
  job->snapshot = std::make_unique<core::ingest::schema>(*schema_);
  job->index = std::move(d.index);
  job->index->rebind(*job->snapshot);
  job->side = std::move(d.side);
  if (job->side) job->side->rebind(*job->snapshot);
  job->parts = d.parts;
  job->done = job->result.get_future();
  building_ = job;
  pool.post([this, job, persists = std::move(persists), done = std::move(done)] {
    caf::error failed;
    for (const auto& p : persists)
      if (auto err = p.get(); err && !failed) failed = err;
    try {
      if (failed)
        job->result.set_value(std::move(failed));
      else
        job->result.set_value(build_segments(job->seq, *job->index, job->side.get(),
                                             job->parts, *job->snapshot));
    } catch (const std::exception& e) {
      job->result.set_value(core::make_error(
          core::errc::unavailable,
          "cannot build sequence " + std::to_string(job->seq) + ": " + e.what()));
    }
    done();
  });
  return {};
}

caf::expected<std::vector<core::segment_record>> ingest_pipeline::finish_build() {
  if (!building_) return core::make_error(core::errc::conflict, "no build is running");
  auto job = std::move(building_);
  auto result = job->done.get();
  // The rows go back to their sequence: published, they are dropped with it;
  // if the build failed, the next attempt has every one of them.
  auto& d = seqs_[job->seq];
  if ((d.index && !d.index->empty()) || (d.side && !d.side->empty()))
    return core::make_error(core::errc::internal,
                            "sequence " + std::to_string(job->seq) +
                                " received rows while it was being built");
  job->index->rebind(*schema_);
  d.index = std::move(job->index);
  if (job->side) job->side->rebind(*schema_);
  d.side = std::move(job->side);
  return result;
}

core::spread_fn ingest_pipeline::spread_on_pool() const {
  return [pool = env_.builder.get()](const std::function<void()>& worker) {
    spread(pool, worker);
  };
}

caf::expected<std::vector<core::segment_record>> ingest_pipeline::build_segments(
    int32_t seq, core::ingest::rollup_index& index, core::ingest::rollup_index* side,
    const std::vector<std::string>& paths, const core::ingest::schema& schema) const {
  std::vector<core::segment_record> out;
  core::segment_data merged;
  if (paths.empty() && (!side || side->empty())) {
    // Everything is still in memory: already sorted and rolled up.
    if (index.empty()) return out;
    merged = index.to_segment();
  } else {
    // The parts are read and the indexes gathered at once, each by whichever
    // of this thread and the pool's free ones is free first. The merge takes
    // the parts in the order they were made (persisted, then in memory); the
    // indexes, sorted here and the longest items, are started first.
    std::vector<std::function<caf::expected<core::segment_data>()>> load;
    for (const auto& path : paths)
      load.push_back([&path] { return adapters::read_segment(path); });
    for (auto* in_memory : {&index, side})
      if (in_memory && !in_memory->empty())
        load.push_back([in_memory]() -> caf::expected<core::segment_data> {
          return in_memory->to_segment();
        });
    std::vector<caf::expected<core::segment_data>> parts(
        load.size(), caf::expected<core::segment_data>{core::segment_data{}});
    core::for_each_spread(load.size(), spread_on_pool(), [&](size_t k) {
      size_t i = (k + paths.size()) % load.size();  // the indexes first
      try {
        parts[i] = load[i]();
      } catch (const std::exception& e) {
        parts[i] = core::make_error(core::errc::unavailable,
                                    std::string{"cannot load a part: "} + e.what());
      }
    });
    std::vector<const core::segment_data*> ptrs;
    for (const auto& p : parts) {
      if (!p) return p.error();
      ptrs.push_back(&*p);
    }
    merged = core::merge(ptrs, schema.rollup, true, spread_on_pool());
  }

  const auto& tuning = spec_.spec.tuning;
  auto segments = core::split(std::move(merged), schema.segment_granularity,
                              tuning.max_rows_per_segment);
  for (size_t i = 0; i < segments.size(); ++i) {
    auto& seg = segments[i];
    seg.data_source = spec_.data_source();
    auto local = (fs::path{dir_} /
                  ("seq-" + std::to_string(seq) + "-" + std::to_string(i) + ".seg"))
                     .string();
    auto extra = core::json::make_object({{"taskId", spec_.id}, {"sequence", seq}});
    // The local file only feeds the push, and deep storage makes its own copy
    // durable before the publish: no fsync here.
    adapters::write_options opts;
    opts.durable = false;
    opts.compression = tuning.segment_compression();
    // Its columns are encoded on the pool's free threads too.
    opts.spread = spread_on_pool();
    if (auto err = adapters::write_segment(seg, local, extra, opts)) return err;
    auto interval =
        core::format_utc_time(seg.start) + "_" + core::format_utc_time(seg.end);
    auto rel = spec_.data_source() + "/" + interval + "/" + spec_.id + "/" +
               std::to_string(seq) + "_" + std::to_string(i) + ".seg";
    auto where = env_.deep_storage->push(local, rel);
    if (!where) return where.error();
    core::segment_record r;
    r.data_source = spec_.data_source();
    r.start = seg.start;
    r.end = seg.end;
    r.num_rows = static_cast<int64_t>(seg.rows());
    std::error_code ec;
    r.size_bytes = static_cast<int64_t>(fs::file_size(*where, ec));
    r.path = *where;
    core::json::array dims, metrics;
    for (const auto& c : seg.dimensions) dims.emplace_back(c.name);
    for (const auto& c : seg.metrics) metrics.emplace_back(c.name);
    r.payload = core::json::make_object({
        {"loadSpec", core::json::make_object({{"type", "local"}, {"path", *where}})},
        {"dimensions", core::json{std::move(dims)}},
        {"metrics", core::json{std::move(metrics)}},
        {"shardSpec", core::json::make_object({{"type", "numbered"}})},
        {"binaryVersion", 9},
        {"taskId", spec_.id},
    });
    out.push_back(std::move(r));
    fs::remove(local, ec);
  }
  return out;
}

}  // namespace sv::actors
