// csv and tsv input formats: one row per line of a record; columns from the
// spec or the first (non-skipped) line of each record; multi-value cells split
// on listDelimiter; empty cells are null.

#include "adapters/formats/parsers.hpp"

namespace sv::adapters {

namespace {

using core::ingest::row_buffer;
using core::ingest::value_kind;

class delimited_parser final : public input_parser {
 public:
  explicit delimited_parser(delimited_options opts) : opts_(std::move(opts)) {}

  caf::error parse(std::string_view bytes, core::ingest::field_router& router,
                   row_buffer& row, const emit_fn& emit) override {
    std::vector<std::string> header;
    const std::vector<std::string>* columns = &opts_.columns;
    int32_t skip = opts_.skip_header_rows;
    bool want_header = opts_.find_columns_from_header;
    size_t pos = 0, line_no = 0;
    while (pos < bytes.size()) {
      size_t end = bytes.find('\n', pos);
      if (end == std::string_view::npos) end = bytes.size();
      std::string_view line = bytes.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (skip > 0) {
        --skip;
        continue;
      }
      if (line.empty()) continue;
      if (auto err = split(line, line_no)) return err;
      if (want_header) {
        header.assign(cells_.begin(), cells_.end());
        columns = &header;
        want_header = false;
        continue;
      }
      if (cells_.size() != columns->size())
        return make_error(errc::stream_failed,
                          "line " + std::to_string(line_no) + " has " +
                              std::to_string(cells_.size()) + " columns, expected " +
                              std::to_string(columns->size()));
      row.reset(router.slot_count());
      for (size_t c = 0; c < cells_.size(); ++c) {
        int32_t slot = router.slot_of((*columns)[c]);
        if (slot < 0) continue;
        if (static_cast<size_t>(slot) >= row.values.size())
          row.values.resize(router.slot_count());
        auto& v = row[static_cast<size_t>(slot)];
        std::string_view cell = cells_[c];
        if (cell.empty()) {
          v.kind = value_kind::null;
        } else if (!opts_.list_delimiter.empty() &&
                   cell.find(opts_.list_delimiter) != std::string_view::npos) {
          v.kind = value_kind::array;
          size_t a = 0;
          while (true) {
            size_t b = cell.find(opts_.list_delimiter, a);
            row.add_item(
                v, cell.substr(
                       a, b == std::string_view::npos ? std::string_view::npos : b - a));
            if (b == std::string_view::npos) break;
            a = b + opts_.list_delimiter.size();
          }
        } else {
          v.kind = value_kind::string;
          v.text = cell;
        }
      }
      emit(row);
    }
    return {};
  }

 private:
  // Splits one line into cells_ (views into the line or into unquoted_).
  caf::error split(std::string_view line, size_t line_no) {
    cells_.clear();
    unquoted_.clear();
    unquoted_.reserve(line.size());  // views into it must not move
    size_t i = 0;
    while (true) {
      if (opts_.quotes && i < line.size() && line[i] == '"') {
        size_t start = unquoted_.size();
        ++i;
        while (true) {
          if (i >= line.size())
            return make_error(errc::stream_failed,
                              "line " + std::to_string(line_no) + ": unterminated quote");
          if (line[i] == '"') {
            if (i + 1 < line.size() && line[i + 1] == '"') {
              unquoted_ += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          unquoted_ += line[i++];
        }
        cells_.emplace_back(std::string_view{unquoted_}.substr(start));
        if (i < line.size() && line[i] != opts_.delimiter)
          return make_error(errc::stream_failed, "line " + std::to_string(line_no) +
                                                     ": text after a closing quote");
      } else {
        size_t end = line.find(opts_.delimiter, i);
        cells_.push_back(line.substr(
            i, end == std::string_view::npos ? std::string_view::npos : end - i));
        i = end == std::string_view::npos ? line.size() : end;
      }
      if (i >= line.size()) break;
      ++i;  // the delimiter
      if (i == line.size()) {
        cells_.emplace_back();
        break;
      }
    }
    return {};
  }

  delimited_options opts_;
  std::vector<std::string_view> cells_;
  std::string unquoted_;
};

}  // namespace

std::unique_ptr<input_parser> make_delimited_parser(delimited_options opts) {
  return std::make_unique<delimited_parser>(std::move(opts));
}

caf::expected<std::unique_ptr<input_parser>> make_input_parser(
    const core::input_format& f) {
  if (f.type == "json") return make_json_parser();
  if (f.type == "csv" || f.type == "tsv") {
    delimited_options o;
    o.delimiter = f.type == "tsv" ? '\t' : ',';
    o.quotes = f.type == "csv";
    if (f.type == "tsv" && f.delimiter && !f.delimiter->empty())
      o.delimiter = (*f.delimiter)[0];
    if (f.list_delimiter) o.list_delimiter = *f.list_delimiter;
    if (f.columns) o.columns = *f.columns;
    o.find_columns_from_header = f.find_columns_from_header.value_or(false);
    o.skip_header_rows = f.skip_header_rows.value_or(0);
    return make_delimited_parser(std::move(o));
  }
  return make_error(errc::stream_config, "unsupported input format '" + f.type + "'");
}

}  // namespace sv::adapters
