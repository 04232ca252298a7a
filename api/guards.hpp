// The HTTP server's gatekeeping rules, free of any HTTP library: the bearer token, the request
// rate, the Origin header. Each is a small pure piece, tested on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace ptp::api {

// Compares the presented bearer token with the node's in time that depends on neither its content
// nor its length (both are hashed first, then compared with CRYPTO_memcmp).
class BearerToken {
 public:
  explicit BearerToken(std::string_view token);
  // `authorization` is the whole header value: "Bearer <token>".
  bool accepts(std::string_view authorization) const;

 private:
  unsigned char digest_[32];
};

// One bucket for the whole server: `per_second` requests a second, bursts of as many.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucket(std::uint32_t per_second);
  // Takes one request's token; false when the bucket is empty (the request gets 429).
  bool take(Clock::time_point now = Clock::now());
  // Whole seconds until a token is there again (the Retry-After header).
  int retry_after_seconds() const;

 private:
  std::mutex mutex_;
  double tokens_;
  double per_second_;
  Clock::time_point last_;
};

// The MCP transport's DNS-rebinding rule: a request that carries an Origin header is served only
// when that origin is this machine (http(s)://127.x.x.x, localhost or [::1], any port).
bool origin_allowed(std::string_view origin);

}  // namespace ptp::api
