#pragma once
// Combining and cutting segment data (pure, in memory):
// * merge: rows of several parts (persisted index parts of one sequence) in
//   (time, dimensions) order; with rollup, rows with equal time and dimension
//   values become one row whose metrics are combined.
// * split: a merged, sorted segment cut into segments by segmentGranularity
//   and maxRowsPerSegment; each gets its own interval and compact dictionaries.

#include <vector>

#include "core/granularity.hpp"
#include "core/segment/segment_data.hpp"
#include "core/spread.hpp"

namespace sv::core {

/// The aggregator of each metric column, by name (from the segment's own
/// aggregator type names).
std::vector<ingest::aggregator> aggregators_of(const segment_data& s);

/// Merges sorted parts into one sorted segment (rolling up equal rows when
/// `rollup`; ties keep the earlier part first). When every dimension is a
/// single-value string and a row's time rank and dimension ids fit in 64 bits,
/// rows compare as one word each; `packed` false always compares them column
/// by column (the same order, which the tests check). The output's columns
/// are gathered by the workers `spread` runs (here alone when it is empty).
segment_data merge(const std::vector<const segment_data*>& parts, bool rollup,
                   bool packed = true, const spread_fn& spread = {});

std::vector<segment_data> split(const segment_data& sorted,
                                const granularity& segment_granularity,
                                int32_t max_rows_per_segment);
/// The same, taking the segment: when it is one piece (one granularity bucket,
/// at most max_rows rows) and every dictionary value is used, it is moved into
/// the result instead of copied.
std::vector<segment_data> split(segment_data&& sorted, const granularity& gran,
                                int32_t max_rows);

}  // namespace sv::core
