// Reading segment files back (whole, header only, or one bitmap index).

#include <fstream>

#include <roaring/roaring.h>

#include "adapters/segment/block_codec.hpp"
#include "adapters/segment/segment_file.hpp"
#include "adapters/segment/segment_format.hpp"
#include "core/errc.hpp"

namespace sv::adapters {

namespace {

using core::column_data;
using core::column_type;
using core::json;
using namespace segment_format;

std::vector<uint32_t> bitmap_rows(std::string_view b) {
  roaring_bitmap_t* r = roaring_bitmap_portable_deserialize_safe(b.data(), b.size());
  if (!r) return {};
  std::vector<uint32_t> rows(roaring_bitmap_get_cardinality(r));
  roaring_bitmap_to_uint32_array(r, rows.data());
  roaring_bitmap_free(r);
  return rows;
}

struct segment_file {
  std::string path;
  std::string bytes;
  json header;

  static caf::expected<segment_file> open(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    if (!in) return io("cannot open " + path);
    segment_file f;
    f.path = path;
    in.seekg(0, std::ios::end);
    auto size = static_cast<std::streamoff>(in.tellg());
    in.seekg(0, std::ios::beg);
    if (size < 0) return io("cannot read " + path);
    f.bytes.resize(static_cast<size_t>(size));  // read whole, not byte by byte
    if (!in.read(f.bytes.data(), size)) return io("cannot read " + path);
    if (f.bytes.size() < 32 || f.bytes.compare(0, 8, magic) != 0 ||
        f.bytes.compare(f.bytes.size() - 8, 8, end_magic) != 0)
      return corrupt(path, "not a streamvisor segment");
    uint64_t offset, length;
    std::memcpy(&offset, f.bytes.data() + f.bytes.size() - 24, 8);
    std::memcpy(&length, f.bytes.data() + f.bytes.size() - 16, 8);
    if (offset + length > f.bytes.size() - 24) return corrupt(path, "bad footer");
    auto h = json::parse(std::string_view{f.bytes}.substr(offset, length));
    if (!h) return corrupt(path, "bad header: " + core::error_message(h.error()));
    f.header = std::move(*h);
    return f;
  }

  caf::expected<std::string> block(const json& desc) const {
    if (!desc.is_object()) return corrupt(path, "missing block");
    auto off = static_cast<size_t>(desc.find("offset")->as_int());
    auto len = static_cast<size_t>(desc.find("length")->as_int());
    auto raw = static_cast<size_t>(desc.find("rawLength")->as_int());
    if (off + len > bytes.size()) return corrupt(path, "block out of bounds");
    return decompress_block(path, desc.find("codec")->as_string(),
                            std::string_view{bytes}.substr(off, len), raw);
  }

  caf::expected<column_data> column(const json& h, size_t nrows) const {
    column_data c;
    c.name = h.find("name")->as_string();
    c.type = core::column_type_of(h.find("type")->as_string());
    if (const json* a = h.find("aggregator")) c.aggregator = a->as_string();
    const json& b = *h.find("blocks");
    auto get = [&](const char* name) -> caf::expected<std::string> {
      const json* d = b.find(name);
      if (!d) return std::string{};
      return block(*d);
    };
    if (c.type == column_type::string) {
      c.multi_value = h.find("multiValue")->as_bool();
      auto offs = get("dictionaryOffsets"), dict = get("dictionary"), ids = get("ids");
      for (auto* b : {&offs, &dict, &ids})
        if (!*b) return b->error();  // names the damaged block
      auto o = vector_of<uint32_t>(*offs);
      for (size_t i = 0; i + 1 < o.size(); ++i)
        c.dictionary.push_back(dict->substr(o[i], o[i + 1] - o[i]));
      c.ids = vector_of<uint32_t>(*ids);
      if (c.multi_value) {
        auto mo = get("offsets");
        if (!mo) return mo.error();
        c.offsets = vector_of<uint32_t>(*mo);
      }
      return c;
    }
    auto values = get("values");
    if (!values) return values.error();
    if (c.type == column_type::long_) {
      c.longs = vector_of<int64_t>(*values);
    } else if (c.type == column_type::float_) {
      auto f = vector_of<float>(*values);
      c.doubles.assign(f.begin(), f.end());
    } else {
      c.doubles = vector_of<double>(*values);
    }
    if (b.find("nulls")) {
      auto nb = get("nulls");
      if (!nb) return nb.error();
      c.nulls.assign(nrows, 0);
      for (auto r : bitmap_rows(*nb)) c.nulls[r] = 1;
    }
    if (b.find("times")) {
      auto t = get("times");
      if (!t) return t.error();
      c.times = vector_of<int64_t>(*t);
    }
    return c;
  }
};

}  // namespace

caf::expected<core::json> read_segment_header(const std::string& path) {
  auto f = segment_file::open(path);
  if (!f) return f.error();
  return std::move(f->header);
}

caf::expected<core::segment_data> read_segment(const std::string& path) {
  auto f = segment_file::open(path);
  if (!f) return f.error();
  const json& h = f->header;
  core::segment_data d;
  d.data_source = h.find("dataSource")->as_string();
  auto interval = h.find("interval")->as_string();
  auto slash = interval.find('/');
  auto start = core::parse_utc_time(interval.substr(0, slash));
  auto end = core::parse_utc_time(interval.substr(slash + 1));
  if (!start || !end) return corrupt(path, "bad interval");
  d.start = *start;
  d.end = *end;
  d.rollup = h.find("rollup")->as_bool();
  d.query_granularity = h.find("queryGranularity")->as_string();
  auto rows = static_cast<size_t>(h.find("numRows")->as_int());
  for (const auto& col : h.find("columns")->as_array()) {
    const auto& role = col.find("role")->as_string();
    if (role == "time") {
      auto t = f->block(*col.find("blocks")->find("values"));
      if (!t) return t.error();
      d.time = vector_of<int64_t>(*t);
      continue;
    }
    auto c = f->column(col, rows);
    if (!c) return c.error();
    (role == "metric" ? d.metrics : d.dimensions).push_back(std::move(*c));
  }
  if (d.time.size() != rows) return corrupt(path, "row count mismatch");
  return d;
}

caf::expected<std::vector<uint32_t>> rows_with_value(const std::string& path,
                                                     const std::string& column,
                                                     const std::string& value) {
  auto f = segment_file::open(path);
  if (!f) return f.error();
  for (const auto& col : f->header.find("columns")->as_array()) {
    if (col.find("name")->as_string() != column) continue;
    const json& b = *col.find("blocks");
    auto offs = f->block(*b.find("dictionaryOffsets"));
    auto dict = f->block(*b.find("dictionary"));
    if (!b.find("bitmaps") || !b.find("bitmapOffsets"))
      return corrupt(path, "column " + column + " has no bitmap index");
    auto bitmaps = f->block(*b.find("bitmaps"));
    auto bo = f->block(*b.find("bitmapOffsets"));
    if (!offs || !dict || !bitmaps || !bo) return corrupt(path, "bad bitmap index");
    auto o = vector_of<uint32_t>(*offs);
    auto bmo = vector_of<uint64_t>(*bo);
    for (size_t i = 0; i + 1 < o.size(); ++i) {
      if (dict->compare(o[i], o[i + 1] - o[i], value) != 0) continue;
      return bitmap_rows(
          std::string_view{*bitmaps}.substr(bmo[i + 1], bmo[i + 2] - bmo[i + 1]));
    }
    return std::vector<uint32_t>{};
  }
  return corrupt(path, "no string column " + column);
}

}  // namespace sv::adapters
