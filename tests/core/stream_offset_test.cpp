#include "core/stream_offset.hpp"

#include <doctest/doctest.h>

#include "core/offsets.hpp"

using sv::core::stream_offset;

namespace {

stream_offset big(const char* digits) {
  return *stream_offset::parse(digits);
}

// A Kinesis sequence number as kinesalite makes them (56 digits).
constexpr const char* seq_a = "49590338271490256608559692538361571095921575989136588898";
constexpr const char* seq_b = "49590338271490256608559692540925702759324208523137515618";

}  // namespace

TEST_CASE("offsets that fit int64 stay numbers") {
  auto x = stream_offset::parse("12");
  REQUIRE(x);
  CHECK(x->is_small());
  CHECK(*x == 12);
  CHECK(x->to_string() == "12");
  CHECK(stream_offset{-1}.to_string() == "-1");
  CHECK(stream_offset::parse("9223372036854775807")->is_small());
  CHECK(sv::core::to_json(stream_offset{7}).is_int());
}

TEST_CASE("long sequence numbers order as numbers") {
  CHECK(big(seq_a) < big(seq_b));
  CHECK(big(seq_b) > big(seq_a));
  CHECK(stream_offset{INT64_MAX} < big("9223372036854775808"));
  CHECK(big("100000000000000000000") > big("99999999999999999999"));
  CHECK(big(seq_a) == big(seq_a));
  CHECK(big("000049590338271490256608559692538361571095921575989136588898") ==
        big(seq_a));
  CHECK(sv::core::to_json(big(seq_a)).as_string() == seq_a);
}

TEST_CASE("end sorts above everything and prints as EOS") {
  auto e = stream_offset::end();
  CHECK(e.is_end());
  CHECK(e > big(seq_b));
  CHECK(e > stream_offset{INT64_MAX});
  CHECK(e == *stream_offset::parse("EOS"));
  CHECK(e.to_string() == "EOS");
  CHECK(e + 1 == e);
}

TEST_CASE("adding and subtracting counts is exact at any length") {
  CHECK((big(seq_a) + 1).to_string() ==
        "49590338271490256608559692538361571095921575989136588899");
  CHECK((big("99999999999999999999") + 1).to_string() == "100000000000000000000");
  CHECK((big("100000000000000000000") - 1).to_string() == "99999999999999999999");
  CHECK((stream_offset{INT64_MAX} + 1).to_string() == "9223372036854775808");
  CHECK((big("9223372036854775808") - 1) == stream_offset{INT64_MAX});
  CHECK((big("9223372036854775808") - 1).is_small());
  auto x = big(seq_a);
  ++x;
  CHECK(x - big(seq_a) == 1);
}

TEST_CASE("the distance between offsets saturates") {
  CHECK(stream_offset{10} - stream_offset{3} == 7);
  CHECK(big("100000000000000000005") - big("100000000000000000000") == 5);
  CHECK(big("100000000000000000000") - big("100000000000000000005") == -5);
  CHECK(big(seq_b) - big(seq_a) == INT64_MAX);
  CHECK(big(seq_a) - stream_offset{0} == INT64_MAX);
  CHECK(stream_offset::end() - stream_offset{3} == 0);
}

TEST_CASE("malformed offsets are refused") {
  CHECK_FALSE(stream_offset::parse(""));
  CHECK_FALSE(stream_offset::parse("12a"));
  CHECK_FALSE(stream_offset::parse("-99999999999999999999"));
  CHECK_FALSE(stream_offset::parse(std::string(300, '1')));
  CHECK_FALSE(stream_offset::parse("EOF"));
}

TEST_CASE("offset maps read long sequence numbers from strings") {
  auto m = sv::core::offset_map_from_json(
      *sv::core::json::parse(std::string{R"({"shardId-000000000000": ")"} + seq_a +
                             R"(", "shardId-000000000001": 5})"));
  REQUIRE(m);
  CHECK(m->at("shardId-000000000000") == big(seq_a));
  CHECK(m->at("shardId-000000000001") == 5);
  auto back = sv::core::to_json(*m);
  CHECK(back.find("shardId-000000000000")->as_string() == seq_a);
}
