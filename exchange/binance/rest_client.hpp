// Binance's REST API, signed: HMAC-SHA256 over the exact query string, X-MBX-APIKEY, timestamp and
// recvWindow, with the server's clock offset kept (a -1021 resyncs and retries once). Rate limits
// are respected: the used weight is read from every answer, a 429 backs off (Retry-After when
// given, else doubling), a 418 ban stops every call until its Retry-After. Calls made while
// backing off fail at once with Kind::unavailable: they never reach the exchange.
// One client per thread (it owns a libcurl handle).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "exchange/credentials.hpp"
#include "exchange/http_client.hpp"

namespace ptp::exchange::binance {

using Params = QueryParams;

class RestClient {
 public:
  using WallClockMs = std::function<std::int64_t()>;
  RestClient(std::string base_url, Credentials credentials,
             std::chrono::milliseconds timeout = std::chrono::seconds(10), WallClockMs wall_clock = {});

  // Unsigned (market data). Returns the body of a 2xx answer; throws ExchangeError otherwise.
  std::string get(const std::string& path, const Params& params = {});
  // Signed (TRADE, USER_DATA). Parameters travel in the query string for every method (Binance
  // accepts that for POST/PUT/DELETE too), so what is signed is exactly what is sent.
  std::string signed_call(const std::string& method, const std::string& path, Params params);
  // API-key only (listenKey endpoints).
  std::string keyed_call(const std::string& method, const std::string& path, const Params& params = {});

  void sync_time();
  std::int64_t clock_offset_ms() const { return offset_ms_; }
  const std::string& base_url() const { return base_url_; }

 private:
  HttpResponse send(const std::string& method, const std::string& path, const std::string& query, bool with_key);
  std::string check(const std::string& method, const std::string& path, const HttpResponse& r);
  std::int64_t now_ms() const;

  std::string base_url_;
  Credentials credentials_;
  HttpClient http_;
  WallClockMs wall_clock_;
  std::int64_t offset_ms_ = 0;
  bool synced_ = false;
  int used_weight_ = 0;
  std::chrono::steady_clock::time_point blocked_until_{};
  std::string blocked_reason_;
  std::chrono::seconds backoff_{0};
};

}  // namespace ptp::exchange::binance
