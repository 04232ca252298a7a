#include "exchange/binance/errors.hpp"

namespace ptp::exchange::binance {

ExchangeError classify(long http_status, int code, const std::string& message) {
  using K = ExchangeError::Kind;
  const std::string code_text = code != 0 ? std::to_string(code) : "HTTP " + std::to_string(http_status);
  auto make = [&](K kind) { return ExchangeError(kind, code_text, message); };
  switch (code) {
    case -1000:  // UNKNOWN
    case -1001:  // DISCONNECTED
    case -1006:  // UNEXPECTED_RESP
    case -1007:  // TIMEOUT: "Send status unknown; execution status unknown."
      return make(K::timeout);
    case -4116: return make(K::duplicate_client_id);
    case -2011:  // CANCEL_REJECTED (unknown order)
    case -2013:  // NO_SUCH_ORDER
    case -2018:
      return make(K::not_found);
    case -1003:  // TOO_MANY_REQUESTS
    case -1021:  // INVALID_TIMESTAMP (after the one resync and retry)
      return make(K::unavailable);
    default: break;
  }
  if (http_status == 429 || http_status == 418) return make(K::unavailable);
  if (http_status == 503 || http_status == 408 || http_status >= 500) return make(K::timeout);
  // -2022 "ReduceOnly Order is rejected": the position is gone or smaller than the order.
  return ExchangeError(K::rejected, code_text, message, code == -2022);
}

}  // namespace ptp::exchange::binance
