#include "api/guards.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

#include "core/config/config.hpp"

namespace ptp::api {
namespace {

void sha256(std::string_view text, unsigned char out[32]) {
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out);
}

}  // namespace

BearerToken::BearerToken(std::string_view token) { sha256(token, digest_); }

bool BearerToken::accepts(std::string_view authorization) const {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() < scheme.size()) return false;
  // The scheme is case-insensitive (RFC 9110); the token is not.
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != std::tolower(static_cast<unsigned char>(scheme[i])))
      return false;
  unsigned char presented[32];
  sha256(authorization.substr(scheme.size()), presented);
  return CRYPTO_memcmp(presented, digest_, sizeof digest_) == 0;
}

TokenBucket::TokenBucket(std::uint32_t per_second)
    : tokens_(per_second), per_second_(per_second), last_(Clock::now()) {}

bool TokenBucket::take(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(per_second_, tokens_ + elapsed * per_second_);
    last_ = now;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

int TokenBucket::retry_after_seconds() const { return 1; }  // a token comes back within 1 s at any rate >= 1/s

bool origin_allowed(std::string_view origin) {
  std::string_view rest;
  if (origin.rfind("http://", 0) == 0) rest = origin.substr(7);
  else if (origin.rfind("https://", 0) == 0) rest = origin.substr(8);
  else return false;  // "null", file://, anything else: not this machine's page
  if (rest.find('/') != std::string_view::npos) return false;  // an origin has no path
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = rest.substr(1, close - 1);
    const auto after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return false;
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return config::is_loopback_host(lower);
}

}  // namespace ptp::api
