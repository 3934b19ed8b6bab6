#pragma once
// The segment file format: columnar, one immutable file per segment.
//
//   "SVSEG001" | column blocks ... | header JSON | u64 header offset | u64 header length
//   | "SVSEGEND"
//
// The header (JSON) holds the schema, interval, row count and, per column,
// where its blocks are. Blocks: __time as int64; string dimensions as a sorted
// dictionary, per-row value ids (and per-row offsets when multi-valued) and a
// roaring bitmap per dictionary value (rows holding it; left out of the parts
// that only a merge reads); numbers as typed
// arrays (int64, float32, float64) with a roaring bitmap of null rows;
// first/last metrics also keep each value's event time. Every block except the
// bitmaps is a zstd frame, or stored as it is when its column is uncompressed. Integers
// are little-endian.

#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/json.hpp"
#include "core/segment/compression.hpp"
#include "core/segment/segment_data.hpp"
#include "core/spread.hpp"

namespace sv::adapters {

struct write_options {
  bool durable = true;  ///< fsync the file and its directory (final segments)
  /// The codecs of the dimension columns and of the time and metric columns.
  core::column_compression compression;
  /// Whether string columns get their bitmap index (rows per value). A part
  /// only read back by a merge needs none.
  bool bitmaps = true;
  /// The columns are encoded by the workers it runs (unset: one, here).
  core::spread_fn spread;
};

/// Writes `data` to `path` (via a temporary file, then renamed; fsynced when
/// durable). `extra` members are added to the header (e.g. taskId, sequence).
caf::error write_segment(const core::segment_data& data, const std::string& path,
                         const core::json& extra = core::json{core::json::object{}},
                         write_options opts = {});

/// Reads a whole segment back.
caf::expected<core::segment_data> read_segment(const std::string& path);

/// Reads only the header.
caf::expected<core::json> read_segment_header(const std::string& path);

/// The rows of a string column holding `value` (from its bitmap index).
caf::expected<std::vector<uint32_t>> rows_with_value(const std::string& path,
                                                     const std::string& column,
                                                     const std::string& value);

}  // namespace sv::adapters
