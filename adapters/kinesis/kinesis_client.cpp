#include "adapters/kinesis/kinesis_client.hpp"

#include <curl/curl.h>

#include <mutex>

#include "adapters/errc.hpp"
#include "core/errc.hpp"

namespace sv::adapters {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A GetRecords reply holds at most 10 MB of data (about 14 MB as base64);
// anything past 64 MiB is refused rather than buffered.
constexpr size_t max_reply = 64u << 20;

size_t collect(char* data, size_t size, size_t n, void* out) {
  auto* reply = static_cast<std::string*>(out);
  if (reply->size() + size * n > max_reply) return 0;  // curl fails the transfer
  reply->append(data, size * n);
  return size * n;
}

// "com.amazonaws.kinesis.v20131202#ExpiredIteratorException" -> the name.
std::string short_type(const std::string& t) {
  auto hash = t.rfind('#');
  return hash == std::string::npos ? t : t.substr(hash + 1);
}

caf::error service_error(long status, const std::string& body) {
  std::string type, message;
  if (auto j = core::json::parse(body); j && j->is_object()) {
    if (auto* t = j->find("__type"); t && t->is_string())
      type = short_type(t->as_string());
    for (auto key : {"message", "Message"})
      if (auto* m = j->find(key); m && m->is_string()) message = m->as_string();
  }
  if (type.empty()) type = "HTTP " + std::to_string(status);
  auto text = type + (message.empty() ? "" : ": " + message);
  if (status >= 500) return make_error(errc::stream_unreachable, "kinesis: " + text);
  errc code = errc::stream_failed;
  if (type == "ResourceNotFoundException")
    code = errc::unknown_topic;
  else if (type == "AccessDeniedException" || type == "UnrecognizedClientException" ||
           type == "InvalidSignatureException" || type == "ExpiredTokenException" ||
           type == "IncompleteSignature" || type == "MissingAuthenticationToken" ||
           status == 403)
    code = errc::authorization_failed;
  // The type goes first, so kinesis_error_type() can find it.
  return make_error(code, "kinesis: " + text);
}

}  // namespace

kinesis_client::kinesis_client(core::stream::kinesis_endpoint endpoint,
                               std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {
  global_init();
  curl_ = curl_easy_init();
}

kinesis_client::~kinesis_client() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

caf::expected<core::json> kinesis_client::call(std::string_view operation,
                                               const core::json& body) {
  auto* curl = static_cast<CURL*>(curl_);
  if (!curl) return make_error(errc::stream_failed, "kinesis: curl_easy_init failed");
  curl_easy_reset(curl);
  auto payload = body.dump();
  std::string reply;
  auto url = endpoint_.url + "/";
  auto sigv4 = "aws:amz:" + endpoint_.region + ":kinesis";
  auto userpwd = endpoint_.access_key + ":" + endpoint_.secret_key;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/x-amz-json-1.1");
  auto target = "X-Amz-Target: Kinesis_20131202." + std::string{operation};
  headers = curl_slist_append(headers, target.c_str());
  std::string token;
  if (!endpoint_.session_token.empty()) {
    token = "X-Amz-Security-Token: " + endpoint_.session_token;
    headers = curl_slist_append(headers, token.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(timeout_.count(), 5000)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  auto rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc == CURLE_WRITE_ERROR)
    return make_error(errc::stream_failed, "kinesis: " + std::string{operation} +
                                               ": reply larger than 64 MiB");
  if (rc != CURLE_OK)
    return make_error(errc::stream_unreachable,
                      "kinesis: " + endpoint_.url + ": " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return service_error(status, reply);
  if (reply.empty()) return core::json{core::json::object{}};
  auto j = core::json::parse(reply);
  if (!j)
    return make_error(errc::stream_failed,
                      "kinesis: " + std::string{operation} + ": reply is not JSON");
  return std::move(*j);
}

std::string kinesis_error_type(const caf::error& err) {
  if (!err || err.category() != adapters_error_category()) return {};
  auto text = core::error_message(err);
  auto at = text.find("kinesis: ");
  if (at == std::string::npos) return {};
  auto rest = text.substr(at + 9);
  auto end = rest.find(':');
  auto type = rest.substr(0, end);
  if (type.find("Exception") == std::string::npos) return {};
  return type;
}

}  // namespace sv::adapters
