#pragma once
// Fixed-width rows in chunks of `rows_per_chunk`: appending never moves the
// rows already stored (a growing vector copies them all at each doubling and
// touches twice the memory), and clear() keeps the chunks for the next fill.

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace sv::core::ingest {

/// `T` is trivially copyable and destructible: chunks are plain memory whose
/// pages are touched only as rows are written.
template <typename T>
class row_store {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  static constexpr size_t rows_per_chunk = 2048;

  explicit row_store(size_t width = 0) : width_(width) {}

  /// Words per row. Changing it drops every row and chunk.
  void set_width(size_t width) {
    width_ = width;
    chunks_.clear();
    rows_ = 0;
  }
  size_t width() const { return width_; }
  size_t size() const { return rows_; }

  T* row(size_t r) {
    return chunks_[r / rows_per_chunk].get() + (r % rows_per_chunk) * width_;
  }
  const T* row(size_t r) const {
    return chunks_[r / rows_per_chunk].get() + (r % rows_per_chunk) * width_;
  }

  /// A new row at the end, for the caller to write every word of (its words
  /// hold whatever they held: fresh memory or a row before clear()).
  T* append() {
    if (rows_ / rows_per_chunk == chunks_.size()) {
      void* p = std::malloc(std::max<size_t>(1, rows_per_chunk * width_ * sizeof(T)));
      if (!p) throw std::bad_alloc{};
      chunks_.emplace_back(static_cast<T*>(p));
    }
    return row(rows_++);
  }

  /// No rows; the chunks stay for the next rows.
  void clear() { rows_ = 0; }

  size_t capacity_bytes() const {
    return chunks_.size() * rows_per_chunk * width_ * sizeof(T);
  }

 private:
  size_t width_ = 0;
  size_t rows_ = 0;
  struct release {
    void operator()(T* p) const { std::free(p); }
  };
  std::vector<std::unique_ptr<T, release>> chunks_;
};

}  // namespace sv::core::ingest
