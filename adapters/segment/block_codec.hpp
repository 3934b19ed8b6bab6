#pragma once
// Internal to adapters/segment: compressing and decompressing one block of a
// segment file. Every compressed block is a self-describing frame with a
// checksum of its content (an LZ4 frame, or a zstd frame at level 3), so
// damage is detected when it is read.

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "core/segment/compression.hpp"

namespace sv::adapters::segment_format {

/// The name a block's descriptor gives its codec: "none", "lz4" or "zstd".
const char* codec_name(core::codec c);

/// `raw` in codec `c` (none: as it is). Throws std::runtime_error if the
/// library fails (the writer turns it into an error value).
std::string compress_block(core::codec c, std::string_view raw);

/// The `raw_length` bytes `stored` holds in the codec named `codec`; an error
/// (naming `path`) if the codec is unknown or the frame is damaged.
caf::expected<std::string> decompress_block(const std::string& path,
                                            std::string_view codec,
                                            std::string_view stored, size_t raw_length);

}  // namespace sv::adapters::segment_format
