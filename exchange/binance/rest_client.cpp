#include "exchange/binance/rest_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/tick.hpp"
#include "exchange/binance/errors.hpp"
#include "exchange/binance/responses.hpp"
#include "exchange/hmac.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::exchange::binance {
namespace {

constexpr int kRecvWindowMs = 5000;
constexpr int kWeightWarn = 2000;  // of Binance's default 2400 per minute

}  // namespace

RestClient::RestClient(std::string base_url, Credentials credentials, std::chrono::milliseconds timeout,
                       WallClockMs wall_clock)
    : base_url_(std::move(base_url)),
      credentials_(std::move(credentials)),
      http_(timeout),
      wall_clock_(wall_clock ? std::move(wall_clock) : WallClockMs(core::wall_now_ms)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::int64_t RestClient::now_ms() const { return wall_clock_() + offset_ms_; }

HttpResponse RestClient::send(const std::string& method, const std::string& path, const std::string& query,
                              bool with_key) {
  const auto now = std::chrono::steady_clock::now();
  if (now < blocked_until_) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(blocked_until_ - now).count() + 1;
    throw ExchangeError(ExchangeError::Kind::unavailable, blocked_reason_,
                        "Binance rate limit: backing off for " + std::to_string(left) + " s more; not sent");
  }
  std::vector<std::string> headers;
  if (with_key) headers.push_back("X-MBX-APIKEY: " + credentials_.api_key);
  const std::string url = base_url_ + path + (query.empty() ? "" : "?" + query);
  HttpResponse r;
  try {
    r = http_.request(method, url, headers);
  } catch (const HttpError& e) {
    throw e.as_exchange_error();
  }
  used_weight_ = static_cast<int>(r.header_int("x-mbx-used-weight-1m").value_or(used_weight_));
  if (used_weight_ > kWeightWarn)
    log_repeated(spdlog::level::warn, "[binance] used request weight {} of 2400 per minute", used_weight_);
  if (r.status == 429 || r.status == 418) {
    const bool ban = r.status == 418;
    backoff_ = ban ? std::chrono::seconds(120) : std::min(std::chrono::seconds(60), std::max(backoff_ * 2, std::chrono::seconds(1)));
    const auto retry_after = r.header_int("retry-after");
    const auto wait = retry_after && *retry_after >= 0 ? std::chrono::seconds(*retry_after) : backoff_;
    blocked_until_ = std::chrono::steady_clock::now() + wait;
    blocked_reason_ = "HTTP " + std::to_string(r.status);
    log_repeated(spdlog::level::err, "[binance] HTTP {} ({}): no request for {} s", r.status, ban ? "IP banned" : "rate limited",
                  wait.count());
  } else if (r.status < 400) {
    backoff_ = std::chrono::seconds(0);
  }
  return r;
}

std::string RestClient::check(const std::string& method, const std::string& path, const HttpResponse& r) {
  if (r.status >= 200 && r.status < 300) return r.body;
  const auto err = parse_error(r.body);
  const std::string msg = err ? err->msg : "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  throw classify(r.status, err ? err->code : 0, method + " " + path + ": " + msg);
}

std::string RestClient::get(const std::string& path, const Params& params) {
  return check("GET", path, send("GET", path, encode_query(params), false));
}

std::string RestClient::keyed_call(const std::string& method, const std::string& path, const Params& params) {
  return check(method, path, send(method, path, encode_query(params), true));
}

void RestClient::sync_time() {
  const std::int64_t before = wall_clock_();
  const std::int64_t server = parse_server_time(get("/fapi/v1/time"));
  const std::int64_t after = wall_clock_();
  offset_ms_ = server - (before + after) / 2;
  synced_ = true;
  if (offset_ms_ > 1000 || offset_ms_ < -1000)
    spdlog::warn("[binance] local clock is {} ms off the server's; signing with the server's time", -offset_ms_);
}

std::string RestClient::signed_call(const std::string& method, const std::string& path, Params params) {
  if (!synced_) sync_time();
  for (int attempt = 0;; ++attempt) {
    Params p = params;
    p.emplace_back("recvWindow", std::to_string(kRecvWindowMs));
    p.emplace_back("timestamp", std::to_string(now_ms()));
    std::string query = encode_query(p);
    query += "&signature=" + hmac_sha256_hex(credentials_.secret, query);
    const HttpResponse r = send(method, path, query, true);
    if (attempt == 0 && r.status >= 400) {
      if (auto err = parse_error(r.body); err && err->code == -1021) {
        // The request was refused before it did anything: resync and send it once more.
        spdlog::warn("[binance] -1021 {}: resyncing the clock and retrying once", err->msg);
        sync_time();
        continue;
      }
    }
    return check(method, path, r);
  }
}

}  // namespace ptp::exchange::binance
