#include "exchange/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace ptp::exchange {

namespace {

std::string lower_hex(const unsigned char* digest, unsigned int len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

std::string hmac_hex(const EVP_MD* md, const char* name, std::string_view secret, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), digest, &len) == nullptr)
    throw std::runtime_error(std::string("HMAC-") + name + " failed in OpenSSL");
  return lower_hex(digest, len);
}

}  // namespace

std::string hmac_sha256_hex(std::string_view secret, std::string_view message) {
  return hmac_hex(EVP_sha256(), "SHA256", secret, message);
}

std::string hmac_sha512_hex(std::string_view secret, std::string_view message) {
  return hmac_hex(EVP_sha512(), "SHA512", secret, message);
}

std::string sha512_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha512(), nullptr) != 1)
    throw std::runtime_error("SHA512 failed in OpenSSL");
  return lower_hex(digest, len);
}

void release_thread_crypto_state() { OPENSSL_thread_stop(); }

}  // namespace ptp::exchange
