#include "actors/task/ingest_pipeline.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "adapters/segment/segment_file.hpp"
#include "core/errc.hpp"
#include "core/segment/merge.hpp"

namespace sv::actors {

namespace fs = std::filesystem;
using core::ingest::row_outcome;

ingest_pipeline::ingest_pipeline(core::task::task_spec spec, task_env env)
    : spec_(std::move(spec)),
      env_(std::move(env)),
      dir_((fs::path{env_.work_dir} / spec_.id).string()),
      stats_(spec_.spec.tuning.effective_max_saved_parse_exceptions()),
      max_parse_exceptions_(spec_.spec.tuning.effective_max_parse_exceptions()) {}

ingest_pipeline::~ingest_pipeline() {
  if (building_) building_->done.wait();  // the job reads this pipeline
  wait_persists(0);
  close();
}

caf::error ingest_pipeline::open() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    return core::make_error(core::errc::unavailable,
                            "cannot create " + dir_ + ": " + ec.message());
  auto s = core::ingest::schema::make(spec_.spec.schema);
  if (!s) return s.error();
  schema_ = std::make_unique<core::ingest::schema>(std::move(*s));
  core::ingest::time_window window{spec_.min_message_time, spec_.max_message_time};
  if (!spec_.spec.io.input_format)
    return core::make_error(core::errc::invalid_input, "the spec has no inputFormat");
  // A second lane, on the node's build pool, for schemas it only reads.
  size_t lanes = env_.builder && !schema_->schemaless() ? 2 : 1;
  for (size_t i = 0; i < lanes; ++i) {
    auto lane = ingest_lane::make(*spec_.spec.io.input_format, *schema_, window);
    if (!lane) return lane.error();
    lanes_.push_back(std::move(*lane));
  }
  auto r = env_.open_reader ? env_.open_reader(spec_)
           : reads_shared(spec_, env_)
               ? open_shared_reader(spec_.spec, spec_.id, env_.embedded_kafka_bootstrap,
                                    *env_.shared)
               : open_spec_reader(spec_.spec, spec_.id, env_.embedded_kafka_bootstrap);
  if (!r) return r.error();
  reader_ = std::move(*r);
  cooperative_ = wake_ && reader_->set_wakeup(wake_);
  reads_ahead_ = lanes_.size() > 1 && !cooperative_ && reader_->independent_batches();
  return reader_->assign(spec_.start);
}

caf::error ingest_pipeline::reassign(const core::offset_map& to_read) {
  // Only partitions left out, the others where routing stands: the reader
  // stops reading those and keeps what it fetched (and read ahead) of these.
  if (auto gone = left_out(to_read))
    return gone->empty() ? caf::error{} : reader_->stop_reading(*gone);
  batch_.clear();
  drop_ahead();
  if (releasing_) releasing_->join();  // every record freed before the reader moves
  releasing_.reset();
  return reader_->assign(to_read);
}

std::optional<std::vector<core::partition_id>> ingest_pipeline::left_out(
    const core::offset_map& to_read) const {
  if (ahead_state_ == ahead_state::failed) return std::nullopt;
  auto routed = reader_->position();
  // The reader is past what it read ahead: routing stands at each partition's
  // first record there (a gap before it, as after a transaction marker, makes
  // the check below fail and the reader seek instead).
  if (ahead_state_ == ahead_state::records) {
    std::vector<bool> seen(ahead_.partitions.size());
    for (const auto& r : ahead_.records) {
      if (seen[r.slot]) continue;
      seen[r.slot] = true;
      if (auto at = routed.find(ahead_.partitions[r.slot]); at != routed.end())
        at->second = r.offset;
    }
  }
  std::vector<core::partition_id> gone;
  for (const auto& [id, at] : routed) {
    auto t = to_read.find(id);
    if (t == to_read.end())
      gone.push_back(id);
    else if (t->second != at)
      return std::nullopt;
  }
  if (routed.size() - gone.size() != to_read.size()) return std::nullopt;
  return gone;
}

ingest_pipeline::sequence_data& ingest_pipeline::data(int32_t seq) {
  auto& d = seqs_[seq];
  if (!d.index) d.index = new_index();
  return d;
}

std::unique_ptr<core::ingest::rollup_index> ingest_pipeline::new_index() {
  if (spares_.empty()) return std::make_unique<core::ingest::rollup_index>(*schema_);
  auto index = std::move(spares_.back());
  spares_.pop_back();
  return index;
}

void ingest_pipeline::count(const core::ingest::row_result& r, std::string_view input,
                            size_t bytes, core::utc_time now) {
  stats_.record(r.outcome, bytes, now);
  if (r.outcome != row_outcome::processed_with_error &&
      r.outcome != row_outcome::unparseable)
    return;
  auto type =
      r.outcome == row_outcome::unparseable ? "unparseable" : "processedWithError";
  if (spec_.spec.tuning.log_parse_exceptions) {
    spdlog::warn("task [{}]: {} row: {} (input: {:.200})", spec_.id, type, r.error,
                 input);
    if (log_)
      log_->write("WARN",
                  fmt::format("{} row: {} (input: {:.200})", type, r.error, input));
  }
  stats_.save_exception(
      core::ingest::parse_exception{std::string{input}, type, r.error, now});
}

void ingest_pipeline::note_chunk(int64_t event_time) {
  const auto& g = schema_->segment_granularity;
  auto start = g.bucket_start(core::utc_time{core::millis{event_time}});
  auto end = g.next(start);
  chunk_lo_ = start.time_since_epoch().count();
  chunk_hi_ = end.time_since_epoch().count();
  if (chunks_.insert(chunk_lo_).second) new_chunks_.emplace_back(start, end);
}

caf::expected<size_t> ingest_pipeline::read(core::task::sequences& seqs) {
  auto timeout = std::chrono::milliseconds{cooperative_ ? 0 : spec_.spec.io.poll_timeout};
  caf::expected<size_t> n = size_t{0};
  if (ahead_state_ == ahead_state::records) {
    std::swap(batch_, ahead_);  // batch_ was released: ahead_ is left empty
    n = batch_.size();
  } else if (ahead_state_ == ahead_state::failed) {
    n = std::move(ahead_error_);
    ahead_error_ = caf::error{};
  } else {
    n = reader_->poll(batch_, 10000, timeout);
  }
  ahead_state_ = ahead_state::none;
  if (!n) {
    last_error_ = core::error_message(n.error());
    return n.error();
  }
  // Partition numbers of the batch's slots (the slots only change on assign).
  if (slot_numbers_.size() != batch_.partitions.size() ||
      slot_ids_ != batch_.partitions) {
    slot_ids_ = batch_.partitions;
    slot_numbers_.clear();
    for (const auto& p : slot_ids_) slot_numbers_.push_back(seqs.index_of(p));
  }
  route(seqs);
  auto failed = run_lanes();
  take_lanes(core::utc_now());
  if (failed) {
    release_batch();
    last_error_ = core::error_message(failed);
    return failed;
  }

  // Partitions that ended (closed Kinesis shards read to the end) are done.
  for (auto slot : batch_.ended)
    seqs.advance(slot_numbers_[slot], core::stream_offset::end());
  release_batch();
  if (stats_.parse_errors() > max_parse_exceptions_)
    return core::make_error(
        core::errc::invalid_input,
        "Max parse exceptions [" + std::to_string(max_parse_exceptions_) + "] exceeded");
  return *n;
}

bool ingest_pipeline::over_memory_limit() const {
  int64_t rows = 0;
  size_t bytes = 0;
  for (const auto& [_, d] : seqs_) {
    for (const auto* index : {d.index.get(), d.side.get()}) {
      if (!index) continue;
      rows += static_cast<int64_t>(index->rows());
      bytes += index->bytes();
    }
  }
  const auto& t = spec_.spec.tuning;
  // maxBytesInMemory 0 = default (a sixth of 1 GiB here), -1 = no byte limit.
  int64_t max_bytes =
      t.max_bytes_in_memory == 0 ? (int64_t{1} << 30) / 6 : t.max_bytes_in_memory;
  return rows >= t.max_rows_in_memory ||
         (max_bytes > 0 && static_cast<int64_t>(bytes) >= max_bytes);
}

caf::error ingest_pipeline::wait_persists(size_t keep) {
  while (persisting_.size() > keep) {
    auto& p = persisting_.front();
    auto err = p.done.get();
    if (err && !persist_error_) persist_error_ = std::move(err);
    if (!persist_error_)
      for (auto* index : {&p.index, &p.side})
        if (*index && spares_.size() < lanes_.size()) {
          (*index)->rebind(*schema_);
          spares_.push_back(std::move(*index));
        }
    persisting_.pop_front();
  }
  return persist_error_;
}

caf::error ingest_pipeline::reap_persists() {
  size_t ready = 0;
  for (auto& p : persisting_) {
    if (p.done.wait_for(std::chrono::seconds{0}) != std::future_status::ready) break;
    ++ready;
  }
  return wait_persists(persisting_.size() - ready);
}

caf::error ingest_pipeline::persist(int32_t seq) {
  auto& d = data(seq);
  if (d.index->empty() && (!d.side || d.side->empty())) return {};
  // Room for this one: 1 + maxPendingPersists in flight at most.
  auto in_flight =
      static_cast<size_t>(std::max(0, spec_.spec.tuning.max_pending_persists)) + 1;
  if (auto err = wait_persists(in_flight - 1)) return err;
  pending_persist p;
  p.snapshot = std::make_unique<core::ingest::schema>(*schema_);
  // Each lane's index is a part of its own; both are written by one job.
  std::vector<std::pair<core::ingest::rollup_index*, std::string>> parts;
  for (auto* held : {&p.index, &p.side}) {
    auto& from = held == &p.index ? d.index : d.side;
    if (!from || from->empty()) continue;
    *held = std::move(from);
    (*held)->rebind(*p.snapshot);
    auto path = (fs::path{dir_} / ("part-" + std::to_string(seq) + "-" +
                                   std::to_string(part_counter_++) + ".seg"))
                    .string();
    d.parts.push_back(path);
    d.persisted_rows += static_cast<int64_t>((*held)->rows());
    parts.emplace_back(held->get(), path);
  }
  if (!d.index) d.index = new_index();
  auto job = [parts = std::move(parts),
              compression = spec_.spec.tuning.persist_compression()]() -> caf::error {
    for (const auto& [index, path] : parts) {
      try {
        auto part = index->to_segment();
        // A part only lives until this task publishes (no fsync), and only
        // the merge reads it (no bitmap index).
        adapters::write_options opts;
        opts.durable = false;
        opts.compression = compression;
        opts.bitmaps = false;
        auto err =
            adapters::write_segment(part, path, core::json{core::json::object{}}, opts);
        index->clear();
        if (err) return err;
      } catch (const std::exception& e) {
        return core::make_error(core::errc::unavailable,
                                "cannot persist " + path + ": " + e.what());
      }
    }
    return caf::error{};
  };
  try {
    p.done = std::async(std::launch::async, job).share();
  } catch (const std::system_error&) {  // no thread to be had: persist here
    std::promise<caf::error> now;
    now.set_value(job());
    p.done = now.get_future().share();
  }
  persisting_.push_back(std::move(p));
  return {};
}

caf::error ingest_pipeline::persist_all() {
  if (auto err = reap_persists()) return err;
  for (auto& [seq, d] : seqs_)
    if (d.index || d.side)
      if (auto err = persist(seq)) return err;
  return {};
}

int64_t ingest_pipeline::rows(int32_t seq) const {
  auto i = seqs_.find(seq);
  if (i == seqs_.end()) return 0;
  return i->second.persisted_rows +
         (i->second.index ? static_cast<int64_t>(i->second.index->rows()) : 0) +
         (i->second.side ? static_cast<int64_t>(i->second.side->rows()) : 0);
}

int64_t ingest_pipeline::total_rows() const {
  int64_t n = 0;
  for (const auto& [seq, _] : seqs_) n += rows(seq);
  return n;
}

void ingest_pipeline::drop(int32_t seq) {
  auto i = seqs_.find(seq);
  if (i == seqs_.end()) return;
  wait_persists(0);  // a published sequence has none in flight; another may
  for (const auto& p : i->second.parts) {
    std::error_code ec;
    fs::remove(p, ec);
  }
  seqs_.erase(i);
}

void ingest_pipeline::close() {
  batch_.clear();
  drop_ahead();
  // The reader's client goes below: every record it handed out is freed first.
  if (releasing_) releasing_->join();
  releasing_.reset();
  if (reader_) reader_->close();
  reader_.reset();
}

}  // namespace sv::actors
