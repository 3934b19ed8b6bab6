#include "adapters/stream_reader.hpp"

namespace sv::adapters {

record_batch::record_batch(record_batch&& other) noexcept
    : records(std::move(other.records)),
      partitions(std::move(other.partitions)),
      headers(std::move(other.headers)),
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
    ended = std::move(other.ended);
    owned_ = std::move(other.owned_);
    other.owned_.clear();
  }
  return *this;
}

void record_batch::clear() {
  records.clear();
  headers.clear();
  ended.clear();
  for (auto& o : owned_) o.release(o.handle);
  owned_.clear();
}

}  // namespace sv::adapters
