// Gate.io APIv4 signatures: REST requests (KEY, Timestamp, SIGN headers) and the websocket's
// private-channel auth. Both are lower-case hex HMAC-SHA512 with the API secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ptp::exchange::gateio {

// What a REST request signs: METHOD "\n" PATH "\n" QUERY "\n" hex(SHA512(body)) "\n" TIMESTAMP.
// `path` is the URL path with its "/api/v4" prefix ("/api/v4/futures/usdt/orders"); `query` the
// query string exactly as sent, without '?' ("" when none); `body` the exact bytes sent ("" for
// GET and DELETE).
std::string rest_sign_payload(std::string_view method, std::string_view path, std::string_view query,
                              std::string_view body, std::int64_t timestamp_s);

// The SIGN header: hex HMAC-SHA512(secret, rest_sign_payload(...)).
std::string rest_signature(std::string_view secret, std::string_view method, std::string_view path,
                           std::string_view query, std::string_view body, std::int64_t timestamp_s);

// A private channel's auth SIGN: hex HMAC-SHA512(secret, "channel=<channel>&event=<event>&time=<time>").
std::string ws_signature(std::string_view secret, std::string_view channel, std::string_view event,
                         std::int64_t time_s);

}  // namespace ptp::exchange::gateio
