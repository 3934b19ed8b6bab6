#pragma once
// Password credentials: PBKDF2-HMAC-SHA512 (OpenSSL's PKCS5_PBKDF2_HMAC) with a
// random 32-byte salt and 10,000 iterations by default — the scheme and cost
// of Druid's basic authenticator — compared in constant time.

#include <cstdint>
#include <string>

#include "core/auth/auth_db.hpp"

namespace sv::adapters {

inline constexpr int32_t default_password_iterations = 10000;

/// A new credential for `password` with a fresh random salt.
core::auth::credential make_credential(const std::string& password,
                                       int32_t iterations = default_password_iterations);

/// True when `password` gives `c`'s hash.
bool verify_password(const core::auth::credential& c, const std::string& password);

/// `bytes` random bytes from OpenSSL's generator, base64.
std::string random_token(size_t bytes);

}  // namespace sv::adapters

namespace sv::adapters {

/// A key under which a successful check of `password` against `c` for `user`
/// may be remembered: SHA-256 over them and a random secret of this process,
/// so the remembered keys reveal nothing and die with the process.
std::string verified_key(const std::string& user, const core::auth::credential& c,
                         const std::string& password);

}  // namespace sv::adapters
