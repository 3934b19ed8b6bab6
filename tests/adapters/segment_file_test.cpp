// Segment files: write -> read round trips, the bitmap index, corruption.

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "adapters/deep_storage.hpp"
#include "adapters/errc.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/errc.hpp"
#include "core/ingest/ingestor.hpp"
#include "core/segment/merge.hpp"
#include "tests/adapters/store_env.hpp"
#include "tests/core/ingest/row_helper.hpp"

using namespace sv;
using namespace sv::core;

namespace {

struct tmp_dir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / test::unique_name("sv_seg_");
  tmp_dir() { std::filesystem::create_directories(path); }
  ~tmp_dir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

segment_data sample(int rows) {
  std::vector<problem> ps;
  data_schema ds;
  REQUIRE(read_value(*json::parse(R"({"dataSource":"wiki","timestampSpec":{"column":"ts"},
    "dimensionsSpec":{"dimensions":["page","tags",{"type":"long","name":"ns"},{"type":"float","name":"f"},{"type":"double","name":"d"}]},
    "metricsSpec":[{"type":"count","name":"count"},{"type":"longSum","name":"added","fieldName":"added"},
      {"type":"doubleMax","name":"dmax","fieldName":"d"},{"type":"floatSum","name":"fsum","fieldName":"f"},
      {"type":"longLast","name":"last","fieldName":"added"}],
    "granularitySpec":{"segmentGranularity":"DAY","queryGranularity":"NONE"}})"),
                     ds, "", ps));
  auto s = ingest::schema::make(ds);
  REQUIRE(s);
  ingest::rollup_index index{*s};
  ingest::ingestor ing{*s};
  test::json_rows jr;
  ingest::row_buffer row;
  for (int i = 0; i < rows; ++i) {
    std::string tags = i % 3 == 0 ? R"(["b","a"])" : (i % 3 == 1 ? R"("solo")" : "null");
    std::string text =
        R"({"ts":)" + std::to_string(1767225600000 + i * 1000) + R"(,"page":"p)" +
        std::to_string(i % 7) + R"(","tags":)" + tags + R"(,"ns":)" +
        (i % 5 == 0 ? "null" : std::to_string(i)) + R"(,"f":)" + std::to_string(i * 0.5) +
        R"(,"d":)" + std::to_string(i * 0.25) + R"(,"added":)" + std::to_string(i) + "}";
    jr.fill(text, *s, row);
    REQUIRE(ing.add(row, index).outcome == ingest::row_outcome::processed);
  }
  auto seg = index.to_segment();
  seg.start = *parse_utc_time("2026-01-01");
  seg.end = *parse_utc_time("2026-01-02");
  return seg;
}

// Writes `seg` to `path` (no fsync) with these codecs.
void write_with(const segment_data& seg, const std::string& path,
                core::column_compression codecs) {
  adapters::write_options opts;
  opts.durable = false;
  opts.compression = codecs;
  REQUIRE_FALSE(adapters::write_segment(seg, path, json::make_object({}), opts));
}

}  // namespace

TEST_CASE("a segment written and read back gives exactly the same rows") {
  tmp_dir dir;
  auto seg = sample(500);
  auto path = dir.file("a.seg");
  REQUIRE_FALSE(
      adapters::write_segment(seg, path, json::make_object({{"taskId", "t1"}})));
  auto back = adapters::read_segment(path);
  REQUIRE_MESSAGE(back, core::error_message(back.error()));
  REQUIRE(back->rows() == 500);
  for (size_t r = 0; r < seg.rows(); ++r) {
    CAPTURE(r);
    CHECK(back->row_json(r) == seg.row_json(r));
  }
  CHECK(back->dimension("tags")->multi_value);
  CHECK(back->metric("last")->times == seg.metric("last")->times);
  auto header = adapters::read_segment_header(path);
  REQUIRE(header);
  CHECK(header->find("numRows")->as_int() == 500);
  CHECK(header->find("interval")->as_string() ==
        "2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z");
  CHECK(header->find("taskId")->as_string() == "t1");
  CHECK(header->find("dataSource")->as_string() == "wiki");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_CASE("columns stored uncompressed, in lz4 or in zstd read back the same") {
  tmp_dir dir;
  auto seg = sample(300);
  using core::codec;
  const core::column_compression settings[4] = {{codec::none, codec::none},
                                                {codec::lz4, codec::zstd},
                                                {codec::zstd, codec::none},
                                                {codec::lz4, codec::lz4}};
  size_t sizes[4] = {};
  for (size_t i = 0; i < 4; ++i) {
    auto path = dir.file("c" + std::to_string(i) + ".seg");
    write_with(seg, path, settings[i]);
    auto back = adapters::read_segment(path);
    REQUIRE_MESSAGE(back, core::error_message(back.error()));
    REQUIRE(back->rows() == seg.rows());
    for (size_t r = 0; r < seg.rows(); ++r) CHECK(back->row_json(r) == seg.row_json(r));
    sizes[i] = std::filesystem::file_size(path);
  }
  for (size_t i = 1; i < 4; ++i)
    CHECK(sizes[0] > sizes[i]);  // nothing compressed: largest
  // Each block names its codec.
  auto header = adapters::read_segment_header(dir.file("c1.seg"));
  REQUIRE(header);
  std::set<std::string> codecs;
  for (const auto& col : header->find("columns")->as_array())
    for (const auto& b : col.find("blocks")->as_object())
      codecs.insert(b.value.find("codec")->as_string());
  CHECK(codecs.count("lz4") == 1);
  CHECK(codecs.count("zstd") == 1);
}

TEST_CASE("a damaged lz4 block is refused, not read as rows") {
  tmp_dir dir;
  auto seg = sample(300);
  auto path = dir.file("d.seg");
  write_with(seg, path, {core::codec::lz4, core::codec::lz4});
  auto header = adapters::read_segment_header(path);
  REQUIRE(header);
  // Flip a byte in the middle of the first dimension's ids block.
  const json* ids = nullptr;
  for (const auto& col : header->find("columns")->as_array())
    if (col.find("role")->as_string() == "dimension" && !ids)
      ids = col.find("blocks")->find("ids");
  REQUIRE(ids);
  REQUIRE(ids->find("codec")->as_string() == "lz4");
  auto at = ids->find("offset")->as_int() + ids->find("length")->as_int() / 2;
  {
    std::fstream f{path, std::ios::in | std::ios::out | std::ios::binary};
    f.seekg(at);
    char c = 0;
    f.get(c);
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  auto back = adapters::read_segment(path);
  REQUIRE_FALSE(back);
  CAPTURE(core::error_message(back.error()));
  CHECK(core::error_message(back.error()).find("bad lz4 block") != std::string::npos);
}

TEST_CASE("a block whose stated length is not its frame's is refused before it is read") {
  tmp_dir dir;
  auto seg = sample(300);
  for (auto codec : {core::codec::lz4, core::codec::zstd}) {
    auto path =
        dir.file(std::string{"r"} + (codec == core::codec::lz4 ? "l" : "z") + ".seg");
    write_with(seg, path, {codec, codec});
    // The file's body, then a header whose first dimension's ids claim a
    // huge raw length, then the footer pointing at it.
    std::string bytes;
    {
      std::ifstream in{path, std::ios::binary};
      bytes.assign(std::istreambuf_iterator<char>{in}, {});
    }
    uint64_t offset = 0;
    std::memcpy(&offset, bytes.data() + bytes.size() - 24, 8);
    auto header = adapters::read_segment_header(path);
    REQUIRE(header);
    for (auto& col : header->find("columns")->as_array())
      if (col.find("name")->as_string() == "page") {
        json blocks = *col.find("blocks");
        json ids = *blocks.find("ids");
        ids.set("rawLength", int64_t{1} << 50);
        blocks.set("ids", ids);
        col.set("blocks", blocks);
      }
    auto text = header->dump();
    uint64_t length = text.size();
    std::string out = bytes.substr(0, offset) + text;
    out.append(reinterpret_cast<const char*>(&offset), 8);
    out.append(reinterpret_cast<const char*>(&length), 8);
    out += "SVSEGEND";
    {
      std::ofstream o{path, std::ios::binary | std::ios::trunc};
      o << out;
    }
    auto back = adapters::read_segment(path);
    REQUIRE_FALSE(back);
    CAPTURE(core::error_message(back.error()));
    const char* why =
        codec == core::codec::lz4 ? "bad lz4 block: wrong length" : "bad zstd block";
    CHECK(core::error_message(back.error()).find(why) != std::string::npos);
  }
}

TEST_CASE("the bitmap index finds exactly the rows holding a value") {
  tmp_dir dir;
  auto seg = sample(300);
  auto path = dir.file("b.seg");
  REQUIRE_FALSE(adapters::write_segment(seg, path));
  for (const char* value : {"p3", "a", "solo"}) {
    CAPTURE(value);
    const char* column = value[0] == 'p' ? "page" : "tags";
    auto rows = adapters::rows_with_value(path, column, value);
    REQUIRE(rows);
    std::vector<uint32_t> expected;
    for (uint32_t r = 0; r < seg.rows(); ++r) {
      auto vs = seg.dimension(column)->strings(r);
      if (std::find(vs.begin(), vs.end(), std::string_view{value}) != vs.end())
        expected.push_back(r);
    }
    CHECK_FALSE(expected.empty());
    CHECK(*rows == expected);
  }
  CHECK(adapters::rows_with_value(path, "page", "nope")->empty());
}

TEST_CASE(
    "columns encoded by several workers at once give the same file, byte for byte") {
  tmp_dir dir;
  auto seg = sample(2000);
  auto read_all = [](const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    return std::string{std::istreambuf_iterator<char>{in}, {}};
  };
  REQUIRE_FALSE(adapters::write_segment(seg, dir.file("one.seg")));
  adapters::write_options opts;
  std::atomic<int> runs{0};
  std::set<std::thread::id> threads;
  std::mutex mu;
  opts.spread = [&](const std::function<void()>& worker) {
    auto run = [&] {
      {
        std::lock_guard lock{mu};
        threads.insert(std::this_thread::get_id());
      }
      ++runs;
      worker();
    };
    std::thread a{run}, b{run};
    run();
    a.join();
    b.join();
  };
  REQUIRE_FALSE(
      adapters::write_segment(seg, dir.file("three.seg"), json::make_object({}), opts));
  CHECK(runs == 3);
  CHECK(threads.size() == 3);
  auto one = read_all(dir.file("one.seg")), three = read_all(dir.file("three.seg"));
  CHECK(one.size() > 1000);
  CHECK(one == three);
}

TEST_CASE("a part written without bitmap indexes reads back the same rows, and says so") {
  tmp_dir dir;
  auto seg = sample(300);
  adapters::write_options opts;
  opts.bitmaps = false;
  REQUIRE_FALSE(
      adapters::write_segment(seg, dir.file("part.seg"), json::make_object({}), opts));
  REQUIRE_FALSE(adapters::write_segment(seg, dir.file("full.seg")));
  CHECK(std::filesystem::file_size(dir.file("part.seg")) <
        std::filesystem::file_size(dir.file("full.seg")));
  auto back = adapters::read_segment(dir.file("part.seg"));
  REQUIRE_MESSAGE(back, core::error_message(back.error()));
  REQUIRE(back->rows() == seg.rows());
  for (size_t r = 0; r < seg.rows(); ++r) CHECK(back->row_json(r) == seg.row_json(r));
  auto rows = adapters::rows_with_value(dir.file("part.seg"), "page", "p3");
  REQUIRE_FALSE(rows);
  CHECK(core::error_message(rows.error()).find("no bitmap index") != std::string::npos);
}

TEST_CASE("persisted parts merge back into the same rows as one in-memory index") {
  tmp_dir dir;
  auto seg = sample(200);
  // Write the first and second half as separate parts, read them back, merge.
  segment_data a = seg, b = seg;
  auto halves = split(seg, *parse_granularity_name("ALL"), 100);
  REQUIRE(halves.size() == 2);
  REQUIRE_FALSE(adapters::write_segment(halves[0], dir.file("p0.seg")));
  REQUIRE_FALSE(adapters::write_segment(halves[1], dir.file("p1.seg")));
  auto p0 = adapters::read_segment(dir.file("p0.seg"));
  auto p1 = adapters::read_segment(dir.file("p1.seg"));
  REQUIRE(p0);
  REQUIRE(p1);
  auto merged = merge({&*p1, &*p0}, true);
  REQUIRE(merged.rows() == seg.rows());
  for (size_t r = 0; r < seg.rows(); ++r) CHECK(merged.row_json(r) == seg.row_json(r));
}

TEST_CASE("corrupt or foreign files are reported, not crashed on") {
  tmp_dir dir;
  auto path = dir.file("bad.seg");
  {
    std::ofstream{path}
        << "definitely not a segment file, but long enough to have a footer";
  }
  auto r = adapters::read_segment(path);
  REQUIRE_FALSE(r);
  CHECK(adapters::is(r.error(), adapters::errc::corrupt_record));
  CHECK(adapters::is(adapters::read_segment(dir.file("missing.seg")).error(),
                     adapters::errc::io_error));
  auto seg = sample(10);
  REQUIRE_FALSE(adapters::write_segment(seg, path));
  std::fstream f{path, std::ios::in | std::ios::out | std::ios::binary};
  f.seekp(20);
  f.write("\xff\xff\xff\xff", 4);  // damage a compressed block
  f.close();
  CHECK_FALSE(adapters::read_segment(path));
}

TEST_CASE("deep storage pushes files atomically under a relative path") {
  tmp_dir dir;
  auto ds = adapters::open_local_deep_storage((dir.path / "deep").string());
  REQUIRE(ds);
  auto seg = sample(5);
  REQUIRE_FALSE(adapters::write_segment(seg, dir.file("local.seg")));
  auto where =
      (*ds)->push(dir.file("local.seg"), "wiki/2026-01-01_2026-01-02/task-1/0.seg");
  REQUIRE(where);
  CHECK(*where == (*ds)->location("wiki/2026-01-01_2026-01-02/task-1/0.seg"));
  auto back = adapters::read_segment(*where);
  REQUIRE(back);
  CHECK(back->rows() == seg.rows());
  CHECK_FALSE(std::filesystem::exists(*where + ".tmp"));
  CHECK_FALSE((*ds)->push(dir.file("nope.seg"), "x/y.seg"));
}
