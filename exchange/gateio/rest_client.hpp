// Gate.io's REST API v4, signed: KEY, Timestamp (unix seconds on the server's clock, whose offset is
// kept; a REQUEST_EXPIRED answer resyncs and retries once) and SIGN, HMAC-SHA512 over the method,
// path, exact query, the body's SHA-512 and the timestamp (signing.hpp). Bodies are JSON.
// Rate limits are respected per endpoint, as Gate counts them ("POST /futures/usdt/orders",
// "GET /futures/usdt/price_orders/{id}": the method and the path with ids collapsed, see
// rate_limit_key): X-Gate-RateLimit-Requests-Remain / -Reset-Timestamp are read from every answer;
// after a 429, or once nothing remains, no request to that endpoint leaves until its window resets
// (or, without the header, for a doubling 1..60 s backoff; never longer than 60 s). Calls made
// meanwhile fail at once with Kind::unavailable: they never reach the exchange. An exhausted
// /tickers never delays a close. The key and secret are never logged.
// One client per thread (it owns a libcurl handle).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/retry_backoff.hpp"
#include "exchange/credentials.hpp"
#include "exchange/http_client.hpp"

namespace ptp::exchange::gateio {

using Params = QueryParams;

// The endpoint a request counts against: the method and the path with the ids in it collapsed.
// "GET /futures/usdt/orders/t-p01-1-c" -> "GET /futures/usdt/orders/{id}",
// "GET /futures/usdt/contracts/ETH_USDT" -> "GET /futures/usdt/contracts/{contract}".
std::string rate_limit_key(std::string_view method, std::string_view path);

// X-Gate-RateLimit-Reset-Timestamp as unix milliseconds: Gate documents milliseconds, but a
// value below 1e11 can only be seconds (1e11 ms is 1973) and is read as such.
std::int64_t reset_time_ms(std::int64_t header_value);

class RestClient {
 public:
  using WallClockMs = std::function<std::int64_t()>;
  using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;
  // Sends one request and returns its answer; throws HttpError when none arrived. Default: libcurl
  // (HttpClient); tests pass a script.
  using Transport = std::function<HttpResponse(const std::string& method, const std::string& url,
                                               const std::vector<std::string>& headers, const std::string& body)>;

  // base_url includes "/api/v4" ("https://api.gateio.ws/api/v4"); paths below are after it.
  RestClient(std::string base_url, Credentials credentials,
             std::chrono::milliseconds timeout = std::chrono::seconds(10), WallClockMs wall_clock = {},
             Transport transport = {}, SteadyNow steady_now = {});
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // Unsigned (market data, contracts, server time). Returns the body of a 2xx answer; throws
  // ExchangeError otherwise (errors.hpp).
  std::string public_get(const std::string& path, const Params& query = {});
  // Signed. `body` is the exact JSON sent ("" for GET and DELETE).
  std::string signed_call(const std::string& method, const std::string& path, const Params& query = {},
                          const std::string& body = {});

  // GET /spot/time: the offset of the server's clock from ours, measured from the request's midpoint.
  void sync_time();
  std::int64_t clock_offset_ms() const { return offset_ms_; }
  const std::string& base_url() const { return base_url_; }

 private:
  HttpResponse send(const std::string& method, const std::string& path, const std::string& query,
                    const std::string& body, const std::vector<std::string>& headers);
  // One endpoint's back-off (rate_limit_key).
  struct Backoff {
    std::chrono::steady_clock::time_point blocked_until{};
    core::RetryBackoff retry;  // the doubling 1..60 s wait after a 429, when Gate gave no reset time
  };
  void note_rate_limit(const std::string& endpoint, const HttpResponse& r);
  std::string check(const std::string& method, const std::string& path, const HttpResponse& r);
  std::int64_t server_now_ms() const;

  std::string base_url_;
  std::string base_path_;  // "/api/v4": the path part of base_url_, signed with every request
  Credentials credentials_;
  std::unique_ptr<HttpClient> http_;  // when no transport was given
  Transport transport_;
  WallClockMs wall_clock_;
  SteadyNow steady_now_;
  std::int64_t offset_ms_ = 0;
  bool synced_ = false;
  std::map<std::string, Backoff> backoffs_;  // by endpoint
};

}  // namespace ptp::exchange::gateio
