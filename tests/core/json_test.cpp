#include "core/json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include <doctest/doctest.h>

#include "core/errc.hpp"

using sv::core::json;

TEST_CASE("json parses and prints objects keeping member order") {
  auto j = json::parse(R"({"b": 1, "a": [true, null, 2.5, "x"], "c": {"d": -7}})");
  REQUIRE(j);
  CHECK(j->dump() == R"({"b":1,"a":[true,null,2.5,"x"],"c":{"d":-7}})");
  CHECK(j->find("c")->find("d")->as_int() == -7);
  CHECK(j->find("missing") == nullptr);
}

TEST_CASE("json reports malformed text with its offset") {
  auto j = json::parse(R"({"a": })");
  REQUIRE_FALSE(j);
  CHECK(sv::core::is(j.error(), sv::core::errc::invalid_input));
  CHECK(sv::core::error_message(j.error()).find("offset 6") != std::string::npos);
  CHECK_FALSE(json::parse("{} trailing"));
  CHECK_FALSE(json::parse(""));
}

TEST_CASE("json numbers keep integers exact and compare across kinds") {
  auto j = json::parse(
      R"([9223372036854775807, -9223372036854775808, 1.0, 18446744073709551615])");
  REQUIRE(j);
  const auto& a = j->as_array();
  CHECK(a[0].as_int() == INT64_MAX);
  CHECK(a[1].as_int() == INT64_MIN);
  CHECK(a[2] == json{1});
  CHECK(a[3].is_real());
}

TEST_CASE("json set replaces an existing member and appends a new one") {
  auto j = json::make_object({{"a", 1}, {"b", 2}});
  j.set("a", "x");
  j.set("c", true);
  CHECK(j.dump() == R"({"a":"x","b":2,"c":true})");
  j.erase("b");
  CHECK(j.dump() == R"({"a":"x","c":true})");
}

TEST_CASE("json strings with escapes and unicode round-trip") {
  auto j = json::parse(R"({"s": "line\nbreak \"quoted\" \u00e9 \ud83d\ude00"})");
  REQUIRE(j);
  auto again = json::parse(j->dump());
  REQUIRE(again);
  CHECK(*again == *j);
  CHECK(j->find("s")->as_string() == "line\nbreak \"quoted\" \xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_CASE("duplicate keys: the last value wins, where the key first appeared") {
  auto j = sv::core::json::parse(R"({"a":1,"b":2,"a":3,"c":{"x":1,"x":2}})");
  REQUIRE(j);
  CHECK(j->dump() == R"({"a":3,"b":2,"c":{"x":2}})");
  // Large objects parse in linear time (a committed-offsets row of 4096 partitions).
  std::string big = "{";
  for (int i = 0; i < 4096; ++i)
    big += (i ? ",\"" : "\"") + std::to_string(i) + "\":" + std::to_string(i);
  big += "}";
  auto b = sv::core::json::parse(big);
  REQUIRE(b);
  CHECK(b->as_object().size() == 4096);
  CHECK(b->find("4095")->as_int() == 4095);
}

TEST_CASE(
    "json refuses nesting deeper than max_depth with the offset, and takes max_depth") {
  auto nested = [](size_t depth, char open, char close) {
    return std::string(depth, open) + std::string(depth, close);
  };
  for (auto [open, close] : {std::pair{'[', ']'}, std::pair{'{', '}'}}) {
    CAPTURE(open);
    if (open == '{') {
      // {"a":{"a":...}}
      std::string deep, ok;
      for (size_t i = 0; i < 50000; ++i) deep += R"({"a":)";
      auto r = sv::core::json::parse(deep);
      REQUIRE_FALSE(r);
      CHECK(sv::core::error_message(r.error()).find("nested deeper than 1000 levels") !=
            std::string::npos);
      for (size_t i = 0; i < sv::core::json::max_depth - 1; ++i) ok += R"({"a":)";
      ok += "{}" + std::string(sv::core::json::max_depth - 1, '}');
      auto fine = sv::core::json::parse(ok);
      REQUIRE(fine);
      CHECK(fine->dump() == ok);
      continue;
    }
    auto r = sv::core::json::parse(nested(50000, open, close));
    REQUIRE_FALSE(r);
    CHECK(sv::core::is(r.error(), sv::core::errc::invalid_input));
    CHECK(sv::core::error_message(r.error()) ==
          "malformed JSON at offset 1000: nested deeper than 1000 levels");
    CHECK(sv::core::json::parse(nested(sv::core::json::max_depth, open, close)));
    CHECK_FALSE(
        sv::core::json::parse(nested(sv::core::json::max_depth + 1, open, close)));
  }
}

TEST_CASE("nests_deeper_than counts arrays and objects, not brackets inside strings") {
  using sv::core::json;
  CHECK_FALSE(json::nests_deeper_than("1", 0));
  CHECK(json::nests_deeper_than("[]", 0));
  CHECK_FALSE(json::nests_deeper_than(R"({"a":[1,{"b":2}]})", 3));
  CHECK(json::nests_deeper_than(R"({"a":[1,{"b":2}]})", 2));
  CHECK_FALSE(json::nests_deeper_than(R"(["[[[[\"{{{", "x"])", 1));
  CHECK(json::nests_deeper_than(std::string(5000, '[') + std::string(5000, ']'), 1000));
}

TEST_CASE("numbers print back to the same value, however long their text") {
  for (const char* text :
       {R"([111111111111111111111111900])", R"([1111111111111111111111119])", R"([0.1])",
        R"([2.2250738585072014e-308])", R"([1e300])"}) {
    CAPTURE(text);
    auto v = sv::core::json::parse(text);
    REQUIRE(v);
    auto again = sv::core::json::parse(v->dump());
    REQUIRE(again);
    CHECK(*again == *v);
  }
}

TEST_CASE(
    "numbers: integers exact, huge ones as doubles, zero with any exponent, "
    "NaN and Infinity, too big refused") {
  using sv::core::json;
  CHECK(json::parse("9223372036854775807")->as_int() == INT64_MAX);
  CHECK(json::parse("-9223372036854775808")->as_int() == INT64_MIN);
  CHECK(json::parse("9223372036854775808")->is_real());
  CHECK(json::parse("-0")->as_int() == 0);
  CHECK(json::parse("0e-111")->as_real() == 0.0);
  CHECK(json::parse("1e-400")->as_real() == 0.0);
  CHECK(json::parse("1.50")->as_real() == 1.5);
  CHECK(std::isnan(json::parse("NaN")->as_real()));
  CHECK(json::parse("-Infinity")->as_real() == -std::numeric_limits<double>::infinity());
  auto big = json::parse("[1e400]");
  REQUIRE_FALSE(big);
  CHECK(sv::core::error_message(big.error()).find("too big") != std::string::npos);
  CHECK_FALSE(json::parse("01"));
  CHECK_FALSE(json::parse("1."));
}
