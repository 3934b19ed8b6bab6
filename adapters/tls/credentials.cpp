#include "adapters/tls/credentials.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "adapters/errc.hpp"

namespace sv::adapters::tls {

namespace {

// OpenSSL's queued errors as one line (and the queue emptied).
std::string openssl_reason() {
  std::string out;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no reason given" : out;
}

caf::error refuse(const std::string& what) {
  return make_error(errc::bad_credentials, what + ": " + openssl_reason());
}

}  // namespace

caf::error check(const credentials& c) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_method()),
                                                        &SSL_CTX_free};
  if (!ctx) return refuse("cannot create a TLS context");
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), c.certificate.c_str()) != 1)
    return refuse("cannot load the certificate '" + c.certificate + "'");
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), c.key.c_str(), SSL_FILETYPE_PEM) != 1)
    return refuse("cannot load the private key '" + c.key + "' of the certificate '" +
                  c.certificate + "'");
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return refuse("the key '" + c.key + "' is not the key of the certificate '" +
                  c.certificate + "'");
  if (SSL_CTX_load_verify_locations(ctx.get(), c.ca.c_str(), nullptr) != 1)
    return refuse("cannot load the CA certificate '" + c.ca + "'");
  // The node's own certificate must verify against the CA it will check peers
  // with: a peer would refuse it otherwise.
  X509* leaf = SSL_CTX_get0_certificate(ctx.get());
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx.get(), &chain);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> vctx{
      X509_STORE_CTX_new(), &X509_STORE_CTX_free};
  if (!vctx || X509_STORE_CTX_init(vctx.get(), SSL_CTX_get_cert_store(ctx.get()), leaf,
                                   chain) != 1)
    return refuse("cannot verify the certificate '" + c.certificate + "'");
  if (X509_verify_cert(vctx.get()) != 1)
    return make_error(
        errc::bad_credentials,
        "the certificate '" + c.certificate + "' does not verify against the CA '" +
            c.ca +
            "': " + X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx.get())));
  return {};
}

}  // namespace sv::adapters::tls
