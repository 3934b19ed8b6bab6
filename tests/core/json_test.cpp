#include "core/json.hpp"

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
