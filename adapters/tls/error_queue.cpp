// OpenSSL's error queue, emptied before every TLS I/O call of this process.
//
// SSL_get_error() reports SSL_ERROR_SSL whenever the calling thread's error
// queue holds anything, so the queue must be empty before each SSL_read,
// SSL_write, SSL_connect and SSL_accept (SSL_get_error(3)). CAF 0.17's
// openssl transport never empties it (the only code that would is its
// logging, compiled out in Debian's build), and all its connections share one
// thread: one refused handshake, or one peer that vanished without a TLS
// close, would make the next read of every other connection look failed and
// drop it. These definitions take the place of libssl's four functions in the
// process (the executable's symbols come first), empty the queue as BoringSSL
// does at the same points, and call libssl's. Callers that already empty it
// (libpq, librdkafka) are unaffected.
//
// Linked into the streamvisor executable only (an object library: nothing
// refers to these symbols by name).

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F>
F next(const char* name) {
  void* f = dlsym(RTLD_NEXT, name);
  if (f == nullptr) {
    std::fprintf(stderr, "streamvisor: libssl has no %s\n", name);
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

}  // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto real = next<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto real = next<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static const auto real = next<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

int SSL_accept(SSL* ssl) {
  static const auto real = next<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

}  // extern "C"
