// Writing segment files: each column encoded by a worker, then laid out.

#include "adapters/segment/segment_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <roaring/roaring.h>

#include "adapters/errc.hpp"
#include "adapters/segment/block_codec.hpp"
#include "adapters/segment/segment_format.hpp"
#include "core/errc.hpp"

namespace sv::adapters {

namespace {

using core::column_data;
using core::column_type;
using core::json;
using namespace segment_format;

std::string bitmap_bytes(const std::vector<uint32_t>& rows) {
  roaring_bitmap_t* r = roaring_bitmap_of_ptr(rows.size(), rows.data());
  roaring_bitmap_run_optimize(r);
  std::string out(roaring_bitmap_portable_size_in_bytes(r), '\0');
  roaring_bitmap_portable_serialize(r, out.data());
  roaring_bitmap_free(r);
  return out;
}

// Appends blocks to one column's body and describes them, at offsets from the
// start of that body (moved to the file's offsets when the columns are laid
// out). Compressed blocks carry a checksum of their content (block_codec).
class block_writer {
 public:
  explicit block_writer(core::codec codec) : codec_(codec) {}

  json add(const std::string& raw, bool compress = true) {
    auto codec = compress ? codec_ : core::codec::none;
    std::string stored = compress_block(codec, raw);
    json desc = json::make_object({{"offset", static_cast<int64_t>(body.size())},
                                   {"length", static_cast<int64_t>(stored.size())},
                                   {"rawLength", static_cast<int64_t>(raw.size())},
                                   {"codec", codec_name(codec)}});
    body += stored;
    return desc;
  }
  std::string body;

 private:
  core::codec codec_;
};

json numeric_blocks(block_writer& w, const column_data& c) {
  auto blocks = json::make_object({});
  if (c.type == column_type::long_) {
    blocks.set("values", w.add(bytes_of(c.longs)));
  } else if (c.type == column_type::float_) {
    std::vector<float> f(c.doubles.begin(), c.doubles.end());
    blocks.set("values", w.add(bytes_of(f)));
  } else {
    blocks.set("values", w.add(bytes_of(c.doubles)));
  }
  if (!c.nulls.empty()) {
    std::vector<uint32_t> rows;
    for (uint32_t r = 0; r < c.nulls.size(); ++r)
      if (c.nulls[r]) rows.push_back(r);
    blocks.set("nulls", w.add(bitmap_bytes(rows)));
  }
  if (!c.times.empty()) blocks.set("times", w.add(bytes_of(c.times)));
  return blocks;
}

json string_blocks(block_writer& w, const column_data& c, size_t nrows, bool bitmaps) {
  auto blocks = json::make_object({});
  std::vector<uint32_t> dict_offsets{0};
  std::string dict_bytes;
  for (const auto& v : c.dictionary) {
    dict_bytes += v;
    dict_offsets.push_back(static_cast<uint32_t>(dict_bytes.size()));
  }
  blocks.set("dictionaryOffsets", w.add(bytes_of(dict_offsets)));
  blocks.set("dictionary", w.add(dict_bytes));
  blocks.set("ids", w.add(bytes_of(c.ids)));
  if (c.multi_value) blocks.set("offsets", w.add(bytes_of(c.offsets)));
  if (!bitmaps) return blocks;
  // Bitmap index: rows per value id (index 0 = null rows).
  std::vector<std::vector<uint32_t>> rows(c.dictionary.size() + 1);
  for (uint32_t r = 0; r < nrows; ++r) {
    if (c.multi_value) {
      if (c.offsets[r] == c.offsets[r + 1]) rows[0].push_back(r);
      for (uint32_t k = c.offsets[r]; k < c.offsets[r + 1]; ++k) {
        auto& v = rows[c.ids[k]];
        if (v.empty() || v.back() != r) v.push_back(r);
      }
    } else {
      rows[c.ids[r]].push_back(r);
    }
  }
  std::string index;
  std::vector<uint64_t> bitmap_offsets{0};
  for (const auto& rs : rows) {
    index += bitmap_bytes(rs);
    bitmap_offsets.push_back(index.size());
  }
  blocks.set("bitmaps", w.add(index));
  blocks.set("bitmapOffsets", w.add(bytes_of(bitmap_offsets)));
  return blocks;
}

json column_header(block_writer& w, const column_data& c, const char* role, size_t nrows,
                   bool bitmaps) {
  auto h = json::make_object(
      {{"name", c.name}, {"type", core::to_string(c.type)}, {"role", role}});
  if (!c.aggregator.empty()) h.set("aggregator", c.aggregator);
  if (c.type == column_type::string) {
    h.set("multiValue", c.multi_value);
    h.set("cardinality", static_cast<int64_t>(c.dictionary.size()));
    h.set("blocks", string_blocks(w, c, nrows, bitmaps));
  } else {
    h.set("blocks", numeric_blocks(w, c));
  }
  return h;
}

// Writes `pieces`, one after the other, as the file at `path`.
caf::error write_file(const std::string& path,
                      const std::vector<std::string_view>& pieces, bool durable) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return io("cannot create " + tmp + ": " + std::strerror(errno));
  for (auto content : pieces) {
    size_t done = 0;
    while (done < content.size()) {
      auto n = ::write(fd, content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        ::close(fd);
        return io("cannot write " + tmp + ": " + std::strerror(errno));
      }
      done += static_cast<size_t>(n);
    }
  }
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) return io("cannot sync " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return io("cannot rename " + tmp + ": " + std::strerror(errno));
  if (!durable) return {};
  auto dir = std::filesystem::path{path}.parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace

caf::error write_segment(const core::segment_data& d, const std::string& path,
                         const json& extra, write_options opts) {
  // Each column is encoded (and compressed) into a body of its own, by as
  // many workers as opts.spread runs; the bodies are then laid out in order.
  struct encoded {
    json header;
    std::string body;
  };
  size_t ncols = 1 + d.dimensions.size() + d.metrics.size();
  std::vector<encoded> cols(ncols);
  auto encode = [&](size_t i) {
    if (i == 0) {  // __time, as Druid, compressed with the metrics
      block_writer w{opts.compression.metrics};
      auto h =
          json::make_object({{"name", "__time"}, {"type", "long"}, {"role", "time"}});
      h.set("blocks", json::make_object({{"values", w.add(bytes_of(d.time))}}));
      return encoded{std::move(h), std::move(w.body)};
    }
    bool dimension = i <= d.dimensions.size();
    const auto& c =
        dimension ? d.dimensions[i - 1] : d.metrics[i - 1 - d.dimensions.size()];
    block_writer w{dimension ? opts.compression.dimensions : opts.compression.metrics};
    auto h =
        column_header(w, c, dimension ? "dimension" : "metric", d.rows(), opts.bitmaps);
    return encoded{std::move(h), std::move(w.body)};
  };
  try {
    core::for_each_spread(ncols, opts.spread, [&](size_t i) { cols[i] = encode(i); });
  } catch (const std::exception& e) {
    return io("cannot encode segment " + path + ": " + e.what());
  }

  std::vector<std::string_view> pieces{std::string_view{magic, 8}};
  json::array columns;
  int64_t at = 8;
  for (auto& c : cols) {
    for (auto& block : c.header.find("blocks")->as_object())
      block.value.set("offset", block.value.find("offset")->as_int() + at);
    at += static_cast<int64_t>(c.body.size());
    pieces.emplace_back(c.body);
    columns.push_back(std::move(c.header));
  }
  auto header = json::make_object({
      {"format", "streamvisor-segment"},
      {"formatVersion", 1},
      {"dataSource", d.data_source},
      {"interval", core::format_utc_time(d.start) + "/" + core::format_utc_time(d.end)},
      {"numRows", static_cast<int64_t>(d.rows())},
      {"rollup", d.rollup},
      {"queryGranularity", d.query_granularity},
  });
  if (extra.is_object())
    for (const auto& m : extra.as_object()) header.set(m.key, m.value);
  header.set("columns", json{std::move(columns)});
  std::string header_text = header.dump();
  auto offset = static_cast<uint64_t>(at);
  uint64_t length = header_text.size();
  std::string footer(reinterpret_cast<const char*>(&offset), 8);
  footer.append(reinterpret_cast<const char*>(&length), 8);
  footer += end_magic;
  pieces.emplace_back(header_text);
  pieces.emplace_back(footer);
  return write_file(path, pieces, opts.durable);
}

}  // namespace sv::adapters
