#pragma once
// Node-to-node TLS credentials: checked once at start-up, so that a node with
// unusable files refuses to start with a clear message instead of failing
// every connection later (CAF's openssl module loads them per connection).

#include <string>

#include <caf/error.hpp>

namespace sv::adapters::tls {

struct credentials {
  std::string certificate;  ///< PEM; the node's certificate, chain allowed
  std::string key;          ///< PEM private key, unencrypted
  std::string ca;           ///< PEM CA certificate(s) that sign every node's
};

/// Loads the three files as a TLS connection would and verifies the node's
/// own certificate against the CA (signature, validity dates). Errors are
/// errc::bad_credentials naming the file and OpenSSL's reason.
caf::error check(const credentials& c);

}  // namespace sv::adapters::tls
