#pragma once
// How a segment's columns are compressed.

#include <cstdint>

namespace sv::core {

/// A block's codec: Druid's indexSpec names lz4 (its default) and lzf map to
/// lz4, zstd to zstd (level 3), uncompressed and none to none.
enum class codec : uint8_t { none, lz4, zstd };

/// The codec of the dimension columns and that of the time and metric columns.
struct column_compression {
  codec dimensions = codec::lz4;
  codec metrics = codec::lz4;
};

}  // namespace sv::core
