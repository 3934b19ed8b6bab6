// Input formats: json (simdjson), csv, tsv.

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include <doctest/doctest.h>
#include <simdjson.h>

#include "adapters/formats/input_parser.hpp"
#include "core/errc.hpp"
#include "core/ingest/schema.hpp"
#include "core/spec/data_schema.hpp"

using namespace sv;
using namespace sv::core::ingest;

namespace {

core::ingest::schema make(const char* ds) {
  std::vector<core::problem> ps;
  core::data_schema d;
  REQUIRE(core::read_value(*core::json::parse(ds), d, "", ps));
  auto s = core::ingest::schema::make(d);
  REQUIRE(s);
  return std::move(*s);
}

core::input_format fmt(const char* j) {
  std::vector<core::problem> ps;
  core::input_format f;
  REQUIRE(core::read_value(*core::json::parse(j), f, "", ps));
  return f;
}

struct collected {
  std::vector<std::vector<std::string>> rows;  // per row: "slot=kind:text"
};

std::vector<std::string> describe(const core::ingest::schema& s, const row_buffer& row,
                                  const std::vector<std::string>& fields) {
  auto& sc = const_cast<core::ingest::schema&>(s);
  std::vector<std::string> out;
  for (const auto& f : fields) {
    auto slot = sc.slot_of(f);
    if (slot < 0 || static_cast<size_t>(slot) >= row.values.size()) {
      out.push_back(f + "=absent");
      continue;
    }
    const auto& v = row[static_cast<size_t>(slot)];
    std::string d = f + "=";
    switch (v.kind) {
      case value_kind::absent:
        d += "absent";
        break;
      case value_kind::null:
        d += "null";
        break;
      case value_kind::string:
        d += "s:" + std::string{v.text};
        break;
      case value_kind::integer:
        d += "i:" + std::to_string(v.integer) + "/" + std::string{v.text};
        break;
      case value_kind::real:
        d += "r:" + std::string{v.text};
        break;
      case value_kind::boolean:
        d += v.boolean ? "b:true" : "b:false";
        break;
      case value_kind::array:
        d += "a:";
        for (uint32_t i = 0; i < v.items_count; ++i)
          d += std::string{row.items[v.items_begin + i]} + "|";
        break;
    }
    out.push_back(d);
  }
  return out;
}

const char* schema_json = R"({"dataSource":"d","timestampSpec":{"column":"ts"},
  "dimensionsSpec":{"dimensions":["a","b","c","tags","flag"]},
  "metricsSpec":[{"type":"longSum","name":"n","fieldName":"n"}]})";

}  // namespace

TEST_CASE(
    "json: scalars, escapes, numbers keep their text, arrays, nested objects skipped") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  REQUIRE(p);
  row_buffer row;
  std::vector<std::vector<std::string>> got;
  auto err = (*p)->parse(
      R"({"ts":"2026-01-01T00:00:00Z","a":"caf\u00e9 \"q\"","b":1.50,"c":-7,"n":12,"tags":["x",2,true,null],"flag":false,"nested":{"a":"no"},"other":1})",
      s, row, [&](const row_buffer& r) {
        got.push_back(describe(s, r, {"a", "b", "c", "n", "tags", "flag", "ts"}));
      });
  REQUIRE_MESSAGE(!err, core::error_message(err));
  REQUIRE(got.size() == 1);
  CHECK(got[0] == std::vector<std::string>{"a=s:caf\xC3\xA9 \"q\"", "b=r:1.50",
                                           "c=i:-7/-7", "n=i:12/12", "tags=a:x|2|true|",
                                           "flag=b:false", "ts=s:2026-01-01T00:00:00Z"});
}

TEST_CASE("json: several objects in one record are several rows; garbage is an error") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  row_buffer row;
  std::vector<std::string> as;
  auto err =
      (*p)->parse("{\"a\":\"1\"} {\"a\":\"2\"}\n{\"a\":\"3\"}\n", s, row,
                  [&](const row_buffer& r) { as.push_back(describe(s, r, {"a"})[0]); });
  REQUIRE_MESSAGE(!err, core::error_message(err));
  CHECK(as == std::vector<std::string>{"a=s:1", "a=s:2", "a=s:3"});
  int n = 0;
  auto emit = [&](const row_buffer&) { ++n; };
  CHECK((*p)->parse("{\"a\": ", s, row, emit));
  CHECK((*p)->parse("not json at all", s, row, emit));
  auto arr = (*p)->parse("[1,2]", s, row, emit);
  REQUIRE(arr);
  CHECK(core::error_message(arr).find("JSON object") != std::string::npos);
  CHECK((*p)->parse("", s, row, emit));
  CHECK(n == 0);
  // The parser keeps working after errors.
  CHECK_FALSE((*p)->parse(R"({"a":"ok"})", s, row, emit));
  CHECK(n == 1);
}

TEST_CASE(
    "json: a record is parsed where it lies unless it ends near a page end; the bytes "
    "after it never change the result") {
  // Two pages: the second is not readable, so a parser that read past a record
  // ending near the end of the first one would crash the test.
  auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* mem = ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mem != MAP_FAILED);
  auto* base = static_cast<char*>(mem);
  REQUIRE(::mprotect(base + page, page, PROT_NONE) == 0);
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  REQUIRE(p);
  row_buffer row;
  const std::string record = R"({"ts":"2026-01-01T00:00:00Z","a":"x\"y","n":42})";
  std::vector<std::string> want{"a=s:x\"y", "n=i:42/42"};
  auto parse_at = [&](size_t at, char fill) {
    std::memset(base, fill, page);
    std::memcpy(base + at, record.data(), record.size());
    std::vector<std::string> got;
    auto err = (*p)->parse(std::string_view{base + at, record.size()}, s, row,
                           [&](const row_buffer& r) {
                             got = describe(s, r, {"a", "n"});
                           });
    REQUIRE_MESSAGE(!err, core::error_message(err));
    return got;
  };
  // Ending 0 to 200 bytes before the unreadable page: copied or not, the same row.
  for (size_t gap = 0; gap <= 200; ++gap)
    CHECK(parse_at(page - record.size() - gap, ' ') == want);
  // In the middle of the page, with bytes after it that would be JSON, quotes
  // or garbage if they were read as part of the record.
  for (char fill : {'"', '}', '1', '\\', '\0', '{'}) CHECK(parse_at(100, fill) == want);
  // A truncated record stays an error whatever follows it.
  std::memset(base, '"', page);
  std::memcpy(base + 100, record.data(), 30);
  int rows = 0;
  CHECK((*p)->parse(std::string_view{base + 100, 30}, s, row,
                    [&](const row_buffer&) { ++rows; }));
  CHECK(rows == 0);
  ::munmap(mem, 2 * page);
}

TEST_CASE(
    "json: keys are found by position, as written or escaped, whatever came before") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  REQUIRE(p);
  row_buffer row;
  auto fields = [&](std::string_view record) {
    std::vector<std::string> got;
    auto err = (*p)->parse(record, s, row, [&](const row_buffer& r) {
      got = describe(s, r, {"a", "b"});
    });
    REQUIRE_MESSAGE(!err, core::error_message(err));
    return got;
  };
  using v = std::vector<std::string>;
  CHECK(fields(R"({"a":"1","b":"x"})") == v{"a=s:1", "b=s:x"});
  CHECK(fields(R"({"a":"2","b":"y"})") == v{"a=s:2", "b=s:y"});
  // The same key escaped, a longer key and a key with an escape where "a"
  // was: each read for what it says.
  CHECK(fields(R"({"\u0061":"3","b":"z"})") == v{"a=s:3", "b=s:z"});
  CHECK(fields(R"({"ab":"4","b":"w"})") == v{"a=absent", "b=s:w"});
  CHECK(fields(R"({"a\b":"5","\"b":"q"})") == v{"a=absent", "b=absent"});
  CHECK(fields(R"({"b":"6","a":"7"})") == v{"a=s:7", "b=s:6"});
  CHECK(fields(R"({"a":"8","b":"v"})") == v{"a=s:8", "b=s:v"});
  // A key at the very end of a record that is cut short is an error, not a read
  // past the record.
  int rows = 0;
  CHECK((*p)->parse(R"({"a":"9","b)", s, row, [&](const row_buffer&) { ++rows; }));
  CHECK(rows == 0);
}

TEST_CASE(
    "json: strings read in place or unescaped give the same text, whatever follows "
    "them") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  REQUIRE(p);
  row_buffer row;
  auto fields = [&](std::string_view record) {
    std::vector<std::string> got;
    auto err = (*p)->parse(record, s, row, [&](const row_buffer& r) {
      got = describe(s, r, {"a", "b", "c"});
    });
    REQUIRE_MESSAGE(!err, core::error_message(err));
    return got;
  };
  using v = std::vector<std::string>;
  // Plain, empty, spaced before the next comma or brace, at the record's end.
  CHECK(fields(R"({"a":"x y","b":"","c":"z" })") == v{"a=s:x y", "b=s:", "c=s:z"});
  CHECK(fields("{\"a\" : \"1\" \n,\t\"b\":\"2\"\r\n}") ==
        v{"a=s:1", "b=s:2", "c=absent"});
  // Escapes anywhere in the string (last, first, an escaped quote or backslash
  // right before the closing quote) are unescaped.
  CHECK(fields(R"({"a":"q\"","b":"\\","c":"\u0041b"})") ==
        v{"a=s:q\"", "b=s:\\", "c=s:Ab"});
  CHECK(fields(R"({"a":"\"\"","b":"x\/y","c":"\n"})") ==
        v{"a=s:\"\"", "b=s:x/y", "c=s:\n"});
  // Multi-byte UTF-8 as written.
  CHECK(fields("{\"a\":\"caf\xC3\xA9\"}") ==
        v{"a=s:caf\xC3\xA9", "b=absent", "c=absent"});
  // An escape at every position of strings of every length up to 40 (the
  // search for a backslash reads 8 bytes at a time; its last word overlaps).
  for (size_t len = 0; len <= 40; ++len) {
    std::string plain(len, 'x');
    CAPTURE(len);
    CHECK(fields(R"({"a":")" + plain + R"(","b":"\\"})") ==
          v{"a=s:" + plain, "b=s:\\", "c=absent"});
    for (size_t at = 0; at < len; ++at) {
      CAPTURE(at);
      auto written = plain.substr(0, at) + "\\t" + plain.substr(at + 1);
      auto read = plain.substr(0, at) + "\t" + plain.substr(at + 1);
      CHECK(fields(R"({"a":")" + written + R"("})") ==
            v{"a=s:" + read, "b=absent", "c=absent"});
    }
  }
  // A string cut short stays an error.
  int rows = 0;
  CHECK((*p)->parse(R"({"a":"abc)", s, row, [&](const row_buffer&) { ++rows; }));
  CHECK((*p)->parse(R"({"a":"abc\"})", s, row, [&](const row_buffer&) { ++rows; }));
  CHECK(rows == 0);
}

TEST_CASE("json: numbers read as simdjson reads them, whether or not plain integers") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  REQUIRE(p);
  row_buffer row;
  simdjson::dom::parser oracle;
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "7",
                                    "-7",
                                    "00",
                                    "-01",
                                    "01",
                                    "-",
                                    "1.5",
                                    "-2.0",
                                    "1e3",
                                    "1E+2",
                                    "12a",
                                    "--1",
                                    "0x10",
                                    "123456789012345678",
                                    "-123456789012345678",
                                    "1234567890123456789",
                                    "9223372036854775807",
                                    "-9223372036854775808",
                                    "9223372036854775808",
                                    "99999999999999999999999"};
  uint64_t x = 88172645463325252ull;  // xorshift: integers of 1 to 20 digits
  for (int i = 0; i < 400; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    auto t = std::to_string(x).substr(0, 1 + x % 20);
    texts.push_back(i % 3 == 0 ? "-" + t : t);
  }
  for (const auto& t : texts) {
    CAPTURE(t);
    std::string record = R"({"n":)" + t + "}";
    std::string got;
    auto err = (*p)->parse(record, s, row,
                           [&](const row_buffer& r) { got = describe(s, r, {"n"})[0]; });
    simdjson::dom::element e;
    auto want = oracle.parse("[" + t + "]").at(0).get(e);
    if (want) {
      CHECK(err);  // malformed for both
      continue;
    }
    REQUIRE_MESSAGE(!err, core::error_message(err));
    if (e.is_int64())
      CHECK(got == "n=i:" + std::to_string(int64_t(e.get_int64())) + "/" + t);
    else
      CHECK(got == "n=r:" + t);
  }
}

TEST_CASE("json: records nested 50,000 levels deep are errors, not crashes") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  row_buffer row;
  int rows = 0;
  std::string field_deep =
      R"({"a":"1","x":)" + std::string(50000, '[') + std::string(50000, ']') + "}";
  std::string object_deep;
  for (int i = 0; i < 25000; ++i) object_deep += R"({"a":)";
  object_deep += "1" + std::string(25000, '}');
  for (const auto& record :
       {field_deep, object_deep, std::string(50000, '['), std::string(50000, '{')}) {
    CAPTURE(record.substr(0, 12));
    auto err = (*p)->parse(record, s, row, [&](const row_buffer&) { ++rows; });
    CHECK(err);
  }
  CHECK(rows == 0);
  // The parser still works afterwards.
  CHECK_FALSE((*p)->parse(R"({"a":"2"})", s, row, [&](const row_buffer&) { ++rows; }));
  CHECK(rows == 1);
}

TEST_CASE("json: schemaless discovery happens while parsing") {
  auto s = make(
      R"({"dataSource":"d","timestampSpec":{"column":"ts"},"dimensionsSpec":{"dimensions":[]}})");
  auto p = adapters::make_input_parser(fmt(R"({"type":"json"})"));
  row_buffer row;
  std::vector<std::string> seen;
  REQUIRE_FALSE((*p)->parse(R"({"ts":1,"x":"1","y":{"z":1},"w":[1]})", s, row,
                            [&](const row_buffer& r) {
                              seen = describe(s, r, {"x", "w"});
                            }));
  CHECK(seen == std::vector<std::string>{"x=s:1", "w=a:1|"});
  CHECK(s.dimensions.size() == 2);
}

TEST_CASE("a row's values and list items are its own, whatever the record before held") {
  auto s = make(schema_json);
  row_buffer row;
  for (const char* format :
       {R"({"type":"json"})",
        R"({"type":"csv","columns":["a","tags"],"listDelimiter":";"})"}) {
    CAPTURE(format);
    auto p = adapters::make_input_parser(fmt(format));
    REQUIRE(p);
    std::vector<std::vector<std::string>> got;
    auto emit = [&](const row_buffer& r) {
      got.push_back(describe(s, r, {"a", "tags"}));
    };
    bool json = std::string_view{format}.find("json") != std::string_view::npos;
    for (auto [j, c] : {std::pair{R"({"a":"x","tags":["p","q","r"]})", "x,p;q;r"},
                        {R"({"tags":["s"]})", ",s"},
                        {R"({"a":"y"})", "y,"},
                        {R"({"tags":["t","u"]})", ",t;u"}}) {
      auto err = (*p)->parse(json ? j : c, s, row, emit);
      REQUIRE_MESSAGE(!err, core::error_message(err));
    }
    REQUIRE(got.size() == 4);
    CHECK(got[0] == std::vector<std::string>{"a=s:x", "tags=a:p|q|r|"});
    CHECK(got[1] == std::vector<std::string>{json ? "a=absent" : "a=null",
                                             json ? "tags=a:s|" : "tags=s:s"});
    CHECK(got[2] ==
          std::vector<std::string>{"a=s:y", json ? "tags=absent" : "tags=null"});
    CHECK(got[3] ==
          std::vector<std::string>{json ? "a=absent" : "a=null", "tags=a:t|u|"});
  }
}

TEST_CASE("csv: columns, quotes, list delimiter, header rows, empty cells are null") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(
      fmt(R"({"type":"csv","columns":["ts","a","b","tags"],"listDelimiter":";"})"));
  REQUIRE(p);
  row_buffer row;
  std::vector<std::vector<std::string>> got;
  auto emit = [&](const row_buffer& r) {
    got.push_back(describe(s, r, {"ts", "a", "b", "tags"}));
  };
  REQUIRE_FALSE(
      (*p)->parse("2026-01-01,\"x, \"\"y\"\"\",,p;q\r\n2026-01-02,z,1,\n", s, row, emit));
  REQUIRE(got.size() == 2);
  CHECK(got[0] == std::vector<std::string>{"ts=s:2026-01-01", "a=s:x, \"y\"", "b=null",
                                           "tags=a:p|q|"});
  CHECK(got[1] ==
        std::vector<std::string>{"ts=s:2026-01-02", "a=s:z", "b=s:1", "tags=null"});
  auto bad = (*p)->parse("1,2\n", s, row, emit);
  REQUIRE(bad);
  CHECK(core::error_message(bad).find("2 columns, expected 4") != std::string::npos);
  CHECK((*p)->parse("1,\"open,3,4\n", s, row, emit));

  auto hdr = adapters::make_input_parser(
      fmt(R"({"type":"csv","findColumnsFromHeader":true,"skipHeaderRows":1})"));
  got.clear();
  REQUIRE_FALSE((*hdr)->parse("# comment line\nts,b,a\n2026,bee,aye\n", s, row, emit));
  REQUIRE(got.size() == 1);
  CHECK(got[0][1] == "a=s:aye");
  CHECK(got[0][2] == "b=s:bee");
}

TEST_CASE("tsv: tab separated, no quoting") {
  auto s = make(schema_json);
  auto p = adapters::make_input_parser(fmt(R"({"type":"tsv","columns":["ts","a","b"]})"));
  row_buffer row;
  std::vector<std::vector<std::string>> got;
  REQUIRE_FALSE((*p)->parse("2026\t\"q\"\tx y\n", s, row, [&](const row_buffer& r) {
    got.push_back(describe(s, r, {"a", "b"}));
  }));
  REQUIRE(got.size() == 1);
  CHECK(got[0] == std::vector<std::string>{"a=s:\"q\"", "b=s:x y"});
}
