#include "actors/task/ingest_lane.hpp"

#include <algorithm>

#include "core/errc.hpp"

namespace sv::actors {

using core::ingest::row_outcome;

caf::expected<std::unique_ptr<ingest_lane>> ingest_lane::make(
    const core::input_format& format, core::ingest::schema& schema,
    core::ingest::time_window window) {
  auto p = adapters::make_input_parser(format);
  if (!p) return p.error();
  return std::unique_ptr<ingest_lane>{new ingest_lane{schema, window, std::move(*p)}};
}

ingest_lane::ingest_lane(core::ingest::schema& schema, core::ingest::time_window window,
                         std::unique_ptr<adapters::input_parser> parser)
    : schema_(schema), ingestor_(schema, window), parser_(std::move(parser)) {}

void ingest_lane::take() {
  counted_ = {};
  noted_.clear();
  chunk_times_.clear();
}

void ingest_lane::count(core::ingest::row_result r, std::string_view input,
                        size_t bytes) {
  if (r.outcome == row_outcome::processed_with_error ||
      r.outcome == row_outcome::unparseable) {
    noted_.push_back({std::move(r), input, bytes});
    return;
  }
  counted_.add(r.outcome, bytes);
}

void ingest_lane::add_row(const core::ingest::row_buffer& row, record_context& ctx) {
  // Staged: run() flushes the index before it returns.
  auto r = ingestor_.add(row, ctx.index, true);
  if (ctx.track_chunks && (r.time < chunk_lo_ || r.time >= chunk_hi_) &&
      (r.outcome == row_outcome::processed ||
       r.outcome == row_outcome::processed_with_error)) {
    const auto& g = schema_.segment_granularity;
    auto start = g.bucket_start(core::utc_time{core::millis{r.time}});
    chunk_lo_ = start.time_since_epoch().count();
    chunk_hi_ = g.next(start).time_since_epoch().count();
    chunk_times_.push_back(r.time);
  }
  // A record's bytes go with its first row.
  count(std::move(r), ctx.input, ctx.any ? 0 : ctx.input.size());
  ctx.any = true;
}

void ingest_lane::run(const std::vector<adapters::stream_record>& records,
                      const std::vector<uint32_t>& which,
                      const std::vector<int32_t>& seq_of,
                      const std::vector<target>& targets, bool track_chunks) {
  int32_t last_seq = -1;
  core::ingest::rollup_index* index = nullptr;
  for (auto i : which) {
    auto seq = seq_of[i];
    if (seq != last_seq) {
      if (index) index->flush();
      auto t = std::find_if(targets.begin(), targets.end(),
                            [seq](const target& x) { return x.first == seq; });
      index = t->second;
      last_seq = seq;
    }
    // One reference in the callback: std::function keeps it without allocating.
    record_context ctx{*index, records[i].value, track_chunks};
    auto err = parser_->parse(
        ctx.input, schema_, row_,
        [this, &ctx](const core::ingest::row_buffer& row) { add_row(row, ctx); });
    if (err)
      count({row_outcome::unparseable,
             "Unable to parse row [" + core::error_message(err) + "]"},
            ctx.input, ctx.any ? 0 : ctx.input.size());
    else if (!ctx.any)  // a record with no rows (e.g. only a CSV header)
      counted_.add(row_outcome::thrown_away, ctx.input.size());
  }
  // Every row is in its index before anything else reads one.
  if (index) index->flush();
}

}  // namespace sv::actors
