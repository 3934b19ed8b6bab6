#include "adapters/crypto/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "adapters/crypto/base64.hpp"

namespace sv::adapters {

namespace {

constexpr size_t salt_bytes = 32;
constexpr size_t key_bytes = 64;

std::string derive(const std::string& password, const std::string& salt,
                   int32_t iterations) {
  std::string key(key_bytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha512(),
                        static_cast<int>(key.size()),
                        reinterpret_cast<unsigned char*>(key.data())) != 1)
    return {};
  return key;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    return {};
  return out;
}

}  // namespace

core::auth::credential make_credential(const std::string& password, int32_t iterations) {
  auto salt = random_bytes(salt_bytes);
  return {base64_encode(salt), base64_encode(derive(password, salt, iterations)),
          iterations};
}

bool verify_password(const core::auth::credential& c, const std::string& password) {
  std::string salt, hash;
  if (c.iterations <= 0 || !base64_decode(c.salt, salt) || !base64_decode(c.hash, hash) ||
      hash.size() != key_bytes)
    return false;
  auto got = derive(password, salt, c.iterations);
  return got.size() == hash.size() && CRYPTO_memcmp(got.data(), hash.data(), hash.size()) == 0;
}

std::string verified_key(const std::string& user, const core::auth::credential& c,
                         const std::string& password) {
  static const std::string pepper = random_bytes(32);
  std::string in = pepper;
  for (const auto* part : {&user, &c.salt, &c.hash, &password}) {
    in += std::to_string(part->size()) + ':';
    in += *part;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_Digest(in.data(), in.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string random_token(size_t bytes) {
  return base64_encode(random_bytes(bytes));
}

}  // namespace sv::adapters
