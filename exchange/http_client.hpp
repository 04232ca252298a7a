// A blocking HTTP(S) client on libcurl: one handle, so keep-alive connections are reused. Not
// thread-safe; each caller thread owns its client (the node's exchange actor has its own thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exchange/exchange.hpp"
#include "exchange/tls_files.hpp"

namespace ptp::exchange {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::optional<std::string> header(std::string_view lower_name) const;
  // A header whose whole value is a decimal integer ("-12", "1700000000123"); nullopt when absent
  // or anything else (an HTTP date in Retry-After, junk).
  std::optional<std::int64_t> header_int(std::string_view lower_name) const;
};

// Query parameters in the order they are sent (and signed).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=2" in the given order, values percent-encoded except for RFC 3986's unreserved
// characters. What the venues sign is exactly this text.
std::string encode_query(const QueryParams& params);

// The request never got an answer. `sent` tells whether it may have reached the server: a
// connection that was refused cannot have placed an order; a timeout after sending can have.
class HttpError : public std::runtime_error {
 public:
  HttpError(bool sent, const std::string& message) : std::runtime_error(message), sent_(sent) {}
  bool maybe_sent() const { return sent_; }
  // What the node makes of it, on every venue: a request that may have arrived has an unknown
  // outcome (Kind::timeout: look the order up); one that cannot have did nothing (Kind::unavailable).
  ExchangeError as_exchange_error() const;

 private:
  bool sent_;
};

// Sets `tls` on a libcurl easy handle (a CURL*): the one place TLS files become libcurl options.
void apply_tls(void* curl_handle, const TlsFiles& tls);

class HttpClient {
 public:
  explicit HttpClient(std::chrono::milliseconds timeout = std::chrono::seconds(10), TlsFiles tls = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // method: GET, POST, PUT, DELETE. Throws HttpError when no response arrived.
  HttpResponse request(const std::string& method, const std::string& url,
                       const std::vector<std::string>& headers = {}, const std::string& body = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::exchange
