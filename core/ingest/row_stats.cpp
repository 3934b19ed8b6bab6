#include "core/ingest/row_stats.hpp"

#include <cmath>

namespace sv::core::ingest {

namespace {

constexpr int64_t tick_ms = 5000;
constexpr std::array<double, 3> minutes = {1.0, 5.0, 15.0};

std::array<double, 5> as_array(const row_counts& c) {
  return {static_cast<double>(c.processed), static_cast<double>(c.processed_bytes),
          static_cast<double>(c.processed_with_error), static_cast<double>(c.thrown_away),
          static_cast<double>(c.unparseable)};
}

json counts_json(const std::array<double, 5>& v) {
  return json::make_object({{"processed", v[0]},
                            {"processedBytes", v[1]},
                            {"processedWithError", v[2]},
                            {"thrownAway", v[3]},
                            {"unparseable", v[4]}});
}

}  // namespace

json to_json(const row_counts& c) {
  return json::make_object({{"processed", c.processed},
                            {"processedBytes", c.processed_bytes},
                            {"processedWithError", c.processed_with_error},
                            {"thrownAway", c.thrown_away},
                            {"unparseable", c.unparseable}});
}

void row_stats::tick_to(utc_time now) {
  if (!started_) {
    started_ = true;
    last_tick_ = now;
    return;
  }
  while ((now - last_tick_).count() >= tick_ms) {
    auto counts = as_array(since_tick_);
    for (size_t w = 0; w < 3; ++w) {
      double alpha = 1.0 - std::exp(-static_cast<double>(tick_ms) / 60000.0 / minutes[w]);
      for (size_t i = 0; i < 5; ++i) {
        double instant = counts[i] / (static_cast<double>(tick_ms) / 1000.0);
        auto& rate = ewma_[w].per_second[i];
        rate = ticked_ ? rate + alpha * (instant - rate) : instant;
      }
    }
    ticked_ = true;
    since_tick_ = row_counts{};
    last_tick_ += millis{tick_ms};
  }
}

void row_counts::add(row_outcome o, size_t bytes) {
  switch (o) {
    case row_outcome::processed:
      ++processed;
      break;
    case row_outcome::processed_with_error:
      ++processed_with_error;
      break;
    case row_outcome::thrown_away:
      ++thrown_away;
      break;
    case row_outcome::unparseable:
      ++unparseable;
      break;
  }
  processed_bytes += static_cast<int64_t>(bytes);
}

void row_counts::add(const row_counts& o) {
  processed += o.processed;
  processed_bytes += o.processed_bytes;
  processed_with_error += o.processed_with_error;
  thrown_away += o.thrown_away;
  unparseable += o.unparseable;
}

void row_stats::record(row_outcome o, size_t bytes, utc_time now) {
  tick_to(now);
  totals_.add(o, bytes);
  since_tick_.add(o, bytes);
}

void row_stats::record(const row_counts& c, utc_time now) {
  tick_to(now);
  totals_.add(c);
  since_tick_.add(c);
}

void row_stats::save_exception(parse_exception e) {
  if (max_saved_ <= 0) return;
  if (e.input.size() > 1024) e.input = e.input.substr(0, 1024) + "...";
  saved_.push_back(std::move(e));
  while (saved_.size() > static_cast<size_t>(max_saved_)) saved_.pop_front();
}

json row_stats::to_json(utc_time now) {
  tick_to(now);
  return json::make_object(
      {{"movingAverages",
        json::make_object(
            {{"buildSegments",
              json::make_object({{"1m", counts_json(ewma_[0].per_second)},
                                 {"5m", counts_json(ewma_[1].per_second)},
                                 {"15m", counts_json(ewma_[2].per_second)}})}})},
       {"totals", json::make_object({{"buildSegments", ingest::to_json(totals_)}})}});
}

json row_stats::exceptions_json() const {
  json::array out;
  for (const auto& e : saved_) {
    json::array details;
    details.emplace_back(e.details);
    out.push_back(
        json::make_object({{"timeOfExceptionMillis", e.time.time_since_epoch().count()},
                           {"input", e.input},
                           {"errorType", e.error_type},
                           {"details", json{std::move(details)}}}));
  }
  return json{std::move(out)};
}

}  // namespace sv::core::ingest
