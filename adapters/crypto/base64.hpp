#pragma once
// Base64 (RFC 4648, with padding) by OpenSSL's EVP_{En,De}codeBlock.

#include <string>

namespace sv::adapters {

std::string base64_encode(const std::string& in);
/// False on malformed input (length not a multiple of 4, bad characters).
bool base64_decode(const std::string& in, std::string& out);

}  // namespace sv::adapters
