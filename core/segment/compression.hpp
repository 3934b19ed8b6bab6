#pragma once
// How a segment's columns are compressed.

namespace sv::core {

/// A zstd level for the dimension columns and one for the time and metric
/// columns; 0 = stored uncompressed.
struct column_compression {
  int dimensions = 1;
  int metrics = 1;
};

}  // namespace sv::core
