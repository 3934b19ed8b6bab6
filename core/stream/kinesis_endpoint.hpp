#pragma once
// Where a `kinesis` supervisor's stream lives and how requests are signed:
// parsed from the spec's ioConfig `endpoint` and the environment.
//   * `kinesis.REGION.amazonaws.com` (Druid's form, default
//     kinesis.us-east-1.amazonaws.com) means https://kinesis.REGION.amazonaws.com
//     in REGION; `https://HOST[:PORT]` or `http://HOST[:PORT]` is used as it is
//     (an emulator, a VPC endpoint), the region then from AWS_REGION /
//     AWS_DEFAULT_REGION, else us-east-1.
//   * Credentials from the standard AWS variables AWS_ACCESS_KEY_ID,
//     AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. A plain-http endpoint with
//     no credentials (a local emulator) is signed with placeholder keys.
// Pure: the environment is read through the function passed in.

#include <string>

#include <caf/expected.hpp>

#include "core/stream/rabbit_endpoint.hpp"

namespace sv::core::stream {

struct kinesis_endpoint {
  std::string url;  ///< scheme://host[:port], no path
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::string session_token;  ///< empty unless temporary credentials
};

/// errc::invalid_input naming `ioConfig.endpoint` on a malformed endpoint, and
/// errc::invalid_input naming the variables when an https endpoint has no
/// credentials or only half of them.
caf::expected<kinesis_endpoint> parse_kinesis_endpoint(const std::string& endpoint,
                                                       const env_lookup& env);

}  // namespace sv::core::stream
