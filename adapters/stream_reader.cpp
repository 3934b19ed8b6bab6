#include "adapters/stream_reader.hpp"

#include "adapters/errc.hpp"

namespace sv::adapters {

record_batch::record_batch(record_batch&& other) noexcept
    : records(std::move(other.records)),
      partitions(std::move(other.partitions)),
      headers(std::move(other.headers)),
      with_headers(other.with_headers),
      ended(std::move(other.ended)),
      owned_(std::move(other.owned_)) {
  other.owned_.clear();
}

record_batch& record_batch::operator=(record_batch&& other) noexcept {
  if (this != &other) {
    clear();
    records = std::move(other.records);
    partitions = std::move(other.partitions);
    headers = std::move(other.headers);
    with_headers = other.with_headers;
    ended = std::move(other.ended);
    owned_ = std::move(other.owned_);
    other.owned_.clear();
  }
  return *this;
}

caf::expected<core::offset_map> stream_reader::time_lag(const core::offset_map&,
                                                        std::chrono::milliseconds) {
  return make_error(errc::stream_config, "this stream does not report time lag");
}

caf::error stream_reader::stop_reading(const std::vector<core::partition_id>& ids) {
  auto at = position();
  for (const auto& id : ids) at.erase(id);
  return assign(at);
}

void record_batch::clear() {
  records.clear();
  headers.clear();
  ended.clear();
  for (auto& o : owned_) o.release(o.handle);
  owned_.clear();
}

}  // namespace sv::adapters
