#pragma once
// Where a `rabbit` supervisor's super stream lives and how to log in: parsed
// from the spec's `uri` (rabbitmq-stream://[USER[:PASS]@]HOST[:PORT][/VHOST],
// the stream protocol, default port 5552) and `consumerProperties`:
//   * `username` / `password`, or Druid's `druid.dynamic.config.provider`
//     ({"type": "mapString", "config": {...}} or {"type": "environment",
//     "variables": {"username": "ENV_VAR", ...}}), override the URI's;
//     default guest / guest;
//   * `amqpUri` (amqp://HOST[:PORT]): where records are consumed over AMQP
//     0-9-1; default the URI's host on port 5672.
// Pure: the environment is read through the function passed in.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "core/json.hpp"

namespace sv::core::stream {

struct rabbit_endpoint {
  std::string host;
  uint16_t stream_port = 5552;
  std::string amqp_host;
  uint16_t amqp_port = 5672;
  std::string username = "guest";
  std::string password = "guest";
  std::string vhost = "/";
};

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// errc::invalid_input naming the field (`ioConfig.uri`,
/// `ioConfig.consumerProperties.amqpUri`, ...) on a malformed value.
caf::expected<rabbit_endpoint> parse_rabbit_endpoint(
    const std::string& uri, const json::object* consumer_properties,
    const env_lookup& env);

}  // namespace sv::core::stream
