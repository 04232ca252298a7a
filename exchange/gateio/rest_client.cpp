#include "exchange/gateio/rest_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/tick.hpp"
#include "exchange/gateio/errors.hpp"
#include "exchange/gateio/responses.hpp"
#include "exchange/gateio/signing.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::exchange::gateio {
namespace {

constexpr std::chrono::milliseconds kMaxBackoff = std::chrono::seconds(60);
constexpr std::int64_t kSecondsBelow = 100'000'000'000;  // 1e11: as milliseconds that is 1973

// "https://api.gateio.ws/api/v4" -> "/api/v4": the part of every request's path Gate signs too.
std::string path_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? std::string() : url.substr(slash);
}

}  // namespace

std::string rate_limit_key(std::string_view method, std::string_view path) {
  std::vector<std::string_view> parts;  // "/futures/usdt/orders/123" -> futures, usdt, orders, 123
  for (std::size_t at = 0; at < path.size();) {
    if (path[at] == '/') ++at;
    const std::size_t end = std::min(path.find('/', at), path.size());
    parts.push_back(path.substr(at, end - at));
    at = end;
  }
  // /futures/{settle}/{resource}/{one of them}/...: the fourth part names one order or contract.
  std::string out(method);
  out += ' ';
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (i == 3 && parts[0] == "futures")
      part = parts[2] == "contracts" || parts[2] == "positions" ? "{contract}" : "{id}";
    out += '/';
    out += part;
  }
  return out;
}

std::int64_t reset_time_ms(std::int64_t header_value) {
  if (header_value <= 0) return 0;  // no reset time at all
  return header_value < kSecondsBelow ? header_value * 1000 : header_value;
}

RestClient::RestClient(std::string base_url, Credentials credentials, std::chrono::milliseconds timeout,
                       WallClockMs wall_clock, Transport transport, SteadyNow steady_now)
    : base_url_(std::move(base_url)),
      credentials_(std::move(credentials)),
      transport_(std::move(transport)),
      wall_clock_(wall_clock ? std::move(wall_clock) : WallClockMs(core::wall_now_ms)),
      steady_now_(steady_now ? std::move(steady_now) : SteadyNow([] { return std::chrono::steady_clock::now(); })) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  base_path_ = path_of(base_url_);
  if (!transport_) {
    http_ = std::make_unique<HttpClient>(timeout);
    transport_ = [http = http_.get()](const std::string& method, const std::string& url,
                                      const std::vector<std::string>& headers,
                                      const std::string& body) { return http->request(method, url, headers, body); };
  }
}

RestClient::~RestClient() = default;

std::int64_t RestClient::server_now_ms() const { return wall_clock_() + offset_ms_; }

HttpResponse RestClient::send(const std::string& method, const std::string& path, const std::string& query,
                              const std::string& body, const std::vector<std::string>& headers) {
  const std::string endpoint = rate_limit_key(method, path);
  const auto now = steady_now_();
  if (const auto b = backoffs_.find(endpoint); b != backoffs_.end() && now < b->second.blocked_until) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(b->second.blocked_until - now).count();
    throw ExchangeError(ExchangeError::Kind::unavailable, "TOO_MANY_REQUESTS",
                        "Gate.io rate limit on " + endpoint + ": backing off for " + std::to_string(left) +
                            " s more; not sent");
  }
  const std::string url = base_url_ + path + (query.empty() ? "" : "?" + query);
  HttpResponse r;
  try {
    r = transport_(method, url, headers, body);
  } catch (const HttpError& e) {
    throw e.as_exchange_error();
  }
  note_rate_limit(endpoint, r);
  return r;
}

void RestClient::note_rate_limit(const std::string& endpoint, const HttpResponse& r) {
  const auto remain = r.header_int("x-gate-ratelimit-requests-remain");
  const auto reset = r.header_int("x-gate-ratelimit-reset-timestamp");
  const bool limited = r.status == 429;
  if (!limited && remain != 0) {
    if (const auto b = backoffs_.find(endpoint); b != backoffs_.end() && r.status < 400) b->second.retry.succeeded();
    return;
  }
  // Until the endpoint's window resets by Gate's clock (capped: a wrong header must not stop the
  // node for long), else a doubling backoff.
  Backoff& b = backoffs_[endpoint];
  std::chrono::milliseconds wait{0};
  if (limited) b.retry.failed(steady_now_());
  const std::int64_t now_ms = server_now_ms();
  if (reset && reset_time_ms(*reset) > now_ms)
    wait = std::min(std::chrono::milliseconds(reset_time_ms(*reset) - now_ms), kMaxBackoff);
  else if (limited)
    wait = std::chrono::duration_cast<std::chrono::milliseconds>(b.retry.wait());
  if (wait <= std::chrono::milliseconds(0)) return;  // no requests left, but the window has already reset
  b.blocked_until = steady_now_() + wait;
  log_repeated(spdlog::level::err, "[gateio] {} {}: no request to it for {} ms", endpoint,
                limited ? "HTTP 429 rate limited" : "request limit used up", wait.count());
}

std::string RestClient::check(const std::string& method, const std::string& path, const HttpResponse& r) {
  if (r.status >= 200 && r.status < 300) return r.body;
  const auto err = parse_error(r.body);
  // Gate's own message is the reason the node records ("rejected POSITION_EMPTY Position is empty").
  const std::string message =
      err ? err->message : method + " " + path + ": HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  throw classify(r.status, err ? std::string_view(err->label) : std::string_view(), message);
}

std::string RestClient::public_get(const std::string& path, const Params& query) {
  static const std::vector<std::string> kHeaders{"Accept: application/json"};
  return check("GET", path, send("GET", path, encode_query(query), "", kHeaders));
}

void RestClient::sync_time() {
  const std::int64_t before = wall_clock_();
  const std::int64_t server = parse_server_time(public_get("/spot/time"));
  const std::int64_t after = wall_clock_();
  offset_ms_ = server - (before + after) / 2;
  synced_ = true;
  if (offset_ms_ > 1000 || offset_ms_ < -1000)
    spdlog::warn("[gateio] local clock is {} ms off the server's; signing with the server's time", -offset_ms_);
}

std::string RestClient::signed_call(const std::string& method, const std::string& path, const Params& query,
                                    const std::string& body) {
  if (!synced_) sync_time();
  const std::string query_text = encode_query(query);
  for (int attempt = 0;; ++attempt) {
    const std::int64_t timestamp_s = server_now_ms() / 1000;
    const std::vector<std::string> headers{
        "Accept: application/json",
        "Content-Type: application/json",
        "KEY: " + credentials_.api_key,
        "Timestamp: " + std::to_string(timestamp_s),
        "SIGN: " + rest_signature(credentials_.secret, method, base_path_ + path, query_text, body, timestamp_s),
    };
    const HttpResponse r = send(method, path, query_text, body, headers);
    if (attempt == 0 && r.status >= 400) {
      if (auto err = parse_error(r.body); err && err->label == "REQUEST_EXPIRED") {
        // Refused before it did anything: resync the clock and send it once more.
        spdlog::warn("[gateio] REQUEST_EXPIRED {}: resyncing the clock and retrying once", err->message);
        sync_time();
        continue;
      }
    }
    return check(method, path, r);
  }
}

}  // namespace ptp::exchange::gateio
