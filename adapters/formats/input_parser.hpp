#pragma once
// Input formats (ioConfig.inputFormat): turn one stream record into rows.
// A record may hold several rows (concatenated JSON objects; several CSV
// lines). Parsers fill a row_buffer by slot through the schema's field router
// and call `emit` for every row. A malformed record yields an error value
// (counted as unparseable by the caller), never an exception.
//
// Parsers are single-threaded and reuse their buffers: the strings in a row
// live until the next call to parse().

#include <functional>
#include <memory>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/ingest/row_buffer.hpp"
#include "core/spec/io_config.hpp"

namespace sv::adapters {

class input_parser {
 public:
  using emit_fn = std::function<void(const core::ingest::row_buffer&)>;
  virtual ~input_parser() = default;
  /// Parses `bytes`; returns an error describing the first malformed part
  /// (rows before it were emitted).
  virtual caf::error parse(std::string_view bytes, core::ingest::field_router& router,
                           core::ingest::row_buffer& row, const emit_fn& emit) = 0;
};

/// json (simdjson), csv or tsv.
caf::expected<std::unique_ptr<input_parser>> make_input_parser(
    const core::input_format& f);

}  // namespace sv::adapters
