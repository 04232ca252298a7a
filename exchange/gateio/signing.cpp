#include "exchange/gateio/signing.hpp"

#include "exchange/hmac.hpp"

namespace ptp::exchange::gateio {

std::string rest_sign_payload(std::string_view method, std::string_view path, std::string_view query,
                              std::string_view body, std::int64_t timestamp_s) {
  std::string out;
  out.reserve(method.size() + path.size() + query.size() + 128 + 24);
  out.append(method).append("\n").append(path).append("\n").append(query).append("\n");
  out.append(sha512_hex(body)).append("\n").append(std::to_string(timestamp_s));
  return out;
}

std::string rest_signature(std::string_view secret, std::string_view method, std::string_view path,
                           std::string_view query, std::string_view body, std::int64_t timestamp_s) {
  return hmac_sha512_hex(secret, rest_sign_payload(method, path, query, body, timestamp_s));
}

std::string ws_signature(std::string_view secret, std::string_view channel, std::string_view event,
                         std::int64_t time_s) {
  std::string message = "channel=";
  message.append(channel).append("&event=").append(event).append("&time=").append(std::to_string(time_s));
  return hmac_sha512_hex(secret, message);
}

}  // namespace ptp::exchange::gateio
