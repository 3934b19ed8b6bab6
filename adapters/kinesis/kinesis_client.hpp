#pragma once
// A Kinesis client for the JSON 1.1 protocol on libcurl: POST / with
// `X-Amz-Target: Kinesis_20131202.<Operation>`, signed with AWS Signature
// Version 4 by libcurl (CURLOPT_AWS_SIGV4), a session token sent as
// X-Amz-Security-Token. One connection, kept alive; one thread at a time.
//
// Errors (adapters::errc), with the service's __type and message as text:
//   * stream_unreachable: no connection, a timeout, HTTP 5xx — retryable;
//   * unknown_topic: ResourceNotFoundException;
//   * authorization_failed: AccessDenied, UnrecognizedClient, signature and
//     token errors;
//   * stream_failed: anything else. kinesis_error_type() gives the __type
//     (ProvisionedThroughputExceededException, ExpiredIteratorException, ...)
//     for callers that handle one.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "core/json.hpp"
#include "core/stream/kinesis_endpoint.hpp"

namespace sv::adapters {

class kinesis_client {
 public:
  kinesis_client(core::stream::kinesis_endpoint endpoint,
                 std::chrono::milliseconds timeout);
  ~kinesis_client();
  kinesis_client(const kinesis_client&) = delete;
  kinesis_client& operator=(const kinesis_client&) = delete;

  /// Calls `operation` (e.g. "GetRecords") with `body`; the reply's JSON.
  caf::expected<core::json> call(std::string_view operation, const core::json& body);

  const core::stream::kinesis_endpoint& endpoint() const { return endpoint_; }

 private:
  core::stream::kinesis_endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  void* curl_ = nullptr;
};

/// The service's exception name (without namespace) of an error returned by
/// call(), e.g. "ExpiredIteratorException"; empty for other errors.
std::string kinesis_error_type(const caf::error& err);

}  // namespace sv::adapters
