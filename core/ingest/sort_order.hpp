#pragma once
// The order of an index's rows by their sort keys (time, then dimensions), for
// writing a segment or a persisted part.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sv::core::ingest {

/// Rows 0..rows-1 ordered by their keys: `kw` words each in `keys` (row r at
/// r * kw), compared word by word, ties by row number. `dense`: word 0 is a
/// time and the others small ranks (string dimensions); then the times are
/// ranked and each row packed with its number into one word, so the sort
/// compares one word, when everything fits in 64 bits. Otherwise rows are
/// compared word by word. Both give the same order.
std::vector<uint32_t> sort_order(const std::vector<uint64_t>& keys, size_t kw,
                                 size_t rows, bool dense);

}  // namespace sv::core::ingest
