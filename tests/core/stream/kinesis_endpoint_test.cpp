#include "core/stream/kinesis_endpoint.hpp"

#include <doctest/doctest.h>

#include <map>

#include "core/errc.hpp"

using namespace sv::core::stream;

namespace {

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("Druid's endpoint form names the region and uses https") {
  auto e = parse_kinesis_endpoint("kinesis.eu-west-2.amazonaws.com",
                                  env_of({{"AWS_ACCESS_KEY_ID", "AK"},
                                          {"AWS_SECRET_ACCESS_KEY", "SK"},
                                          {"AWS_SESSION_TOKEN", "T"}}));
  REQUIRE(e);
  CHECK(e->url == "https://kinesis.eu-west-2.amazonaws.com");
  CHECK(e->region == "eu-west-2");
  CHECK(e->access_key == "AK");
  CHECK(e->secret_key == "SK");
  CHECK(e->session_token == "T");
}

TEST_CASE("a URL endpoint takes its region from the environment") {
  auto e = parse_kinesis_endpoint("https://vpce-1.kinesis.example:8443/",
                                  env_of({{"AWS_DEFAULT_REGION", "ap-south-1"},
                                          {"AWS_ACCESS_KEY_ID", "a"},
                                          {"AWS_SECRET_ACCESS_KEY", "b"}}));
  REQUIRE(e);
  CHECK(e->url == "https://vpce-1.kinesis.example:8443");
  CHECK(e->region == "ap-south-1");
  CHECK(e->session_token.empty());
}

TEST_CASE("a plain-http emulator needs no credentials; https does") {
  auto local = parse_kinesis_endpoint("http://127.0.0.1:4567", env_of({}));
  REQUIRE(local);
  CHECK(local->url == "http://127.0.0.1:4567");
  CHECK(local->region == "us-east-1");
  CHECK_FALSE(local->access_key.empty());
  auto aws = parse_kinesis_endpoint("kinesis.us-east-1.amazonaws.com", env_of({}));
  REQUIRE_FALSE(aws);
  CHECK(sv::core::error_message(aws.error()).find("AWS_ACCESS_KEY_ID") !=
        std::string::npos);
  auto half = parse_kinesis_endpoint("http://h:1", env_of({{"AWS_ACCESS_KEY_ID", "a"}}));
  REQUIRE_FALSE(half);
}

TEST_CASE("malformed endpoints name the field") {
  for (auto bad : {"ftp://h", "http://", "http://a b", "h/path?x"}) {
    auto e = parse_kinesis_endpoint(bad, env_of({}));
    REQUIRE_FALSE(e);
    CHECK(sv::core::error_message(e.error()).starts_with("ioConfig.endpoint: "));
  }
}
