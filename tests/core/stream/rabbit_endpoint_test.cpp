// A rabbit spec's uri and consumerProperties: where to connect and as whom.

#include <doctest/doctest.h>

#include "core/errc.hpp"
#include "core/stream/rabbit_endpoint.hpp"

using namespace sv::core;
using stream::parse_rabbit_endpoint;

namespace {

std::optional<std::string> no_env(const std::string&) {
  return std::nullopt;
}

json::object props(const std::string& text) {
  auto j = json::parse(text);
  REQUIRE(j);
  return j->as_object();
}

std::string failure(const std::string& uri, const std::string& p = "{}") {
  auto o = props(p);
  auto e = parse_rabbit_endpoint(uri, &o, no_env);
  REQUIRE_FALSE(e);
  CHECK(is(e.error(), errc::invalid_input));
  return error_message(e.error());
}

}  // namespace

TEST_CASE("a rabbit uri: host, port, credentials and virtual host") {
  auto e = parse_rabbit_endpoint("rabbitmq-stream://localhost:5552", nullptr, no_env);
  REQUIRE(e);
  CHECK(e->host == "localhost");
  CHECK(e->stream_port == 5552);
  CHECK(e->amqp_host == "localhost");
  CHECK(e->amqp_port == 5672);
  CHECK(e->username == "guest");
  CHECK(e->password == "guest");
  CHECK(e->vhost == "/");

  e = parse_rabbit_endpoint("rabbitmq-stream://ann:s%40cret@10.0.0.5/prod%2Fa", nullptr,
                            no_env);
  REQUIRE(e);
  CHECK(e->host == "10.0.0.5");
  CHECK(e->stream_port == 5552);
  CHECK(e->username == "ann");
  CHECK(e->password == "s@cret");
  CHECK(e->vhost == "prod/a");

  e = parse_rabbit_endpoint("rabbitmq-stream://[::1]:6000", nullptr, no_env);
  REQUIRE(e);
  CHECK(e->host == "::1");
  CHECK(e->stream_port == 6000);
}

TEST_CASE(
    "consumerProperties: credentials directly, through Druid's providers, and amqpUri") {
  auto p =
      props(R"({"username": "u", "password": "p", "amqpUri": "amqp://broker:5673"})");
  auto e = parse_rabbit_endpoint("rabbitmq-stream://a:b@h", &p, no_env);
  REQUIRE(e);
  CHECK(e->username == "u");
  CHECK(e->password == "p");
  CHECK(e->amqp_host == "broker");
  CHECK(e->amqp_port == 5673);

  p = props(R"({"druid.dynamic.config.provider":
      {"type": "mapString", "config": {"username": "m", "password": "n"}}})");
  e = parse_rabbit_endpoint("rabbitmq-stream://h", &p, no_env);
  REQUIRE(e);
  CHECK(e->username == "m");
  CHECK(e->password == "n");

  p = props(R"({"druid.dynamic.config.provider":
      {"type": "environment", "variables": {"password": "RABBIT_PASS"}}})");
  e = parse_rabbit_endpoint("rabbitmq-stream://h", &p, [](const std::string& name) {
    return name == "RABBIT_PASS" ? std::optional<std::string>{"from-env"} : std::nullopt;
  });
  REQUIRE(e);
  CHECK(e->username == "guest");
  CHECK(e->password == "from-env");
}

TEST_CASE("a malformed rabbit endpoint names its field") {
  CHECK(failure("amqp://h").find("ioConfig.uri: must start with rabbitmq-stream://") ==
        0);
  CHECK(failure("rabbitmq-stream://").find("ioConfig.uri: names no host") == 0);
  CHECK(failure("rabbitmq-stream://h:99999").find("ioConfig.uri: the port") == 0);
  CHECK(failure("rabbitmq-stream://h:x1").find("ioConfig.uri: the port") == 0);
  CHECK(failure("rabbitmq-stream://h/%zz").find("ioConfig.uri: a malformed %-escape") ==
        0);
  CHECK(failure("rabbitmq-stream://h", R"({"amqpUri": "http://x"})")
            .find("ioConfig.consumerProperties.amqpUri: must start with amqp://") == 0);
  CHECK(failure("rabbitmq-stream://h", R"({"amqpUri": "amqp://u:p@x"})")
            .find("ioConfig.consumerProperties.amqpUri: names a host and port only") ==
        0);
  CHECK(failure("rabbitmq-stream://h", R"({"password": 5})")
            .find("ioConfig.consumerProperties.password: must be a string") == 0);
  CHECK(failure("rabbitmq-stream://h",
                R"({"druid.dynamic.config.provider": {"type": "vault"}})")
            .find("ioConfig.consumerProperties.druid.dynamic.config.provider.type") == 0);
  CHECK(failure("rabbitmq-stream://h", R"({"druid.dynamic.config.provider":
      {"type": "environment", "variables": {"username": "NOPE"}}})")
            .find("the environment variable 'NOPE' is not set") != std::string::npos);
}
