#include "exchange/exchange.hpp"

namespace ptp::exchange {

std::string_view to_string(ExchangeError::Kind k) {
  switch (k) {
    case ExchangeError::Kind::rejected: return "rejected";
    case ExchangeError::Kind::duplicate_client_id: return "duplicate_client_id";
    case ExchangeError::Kind::timeout: return "timeout";
    case ExchangeError::Kind::not_found: return "not_found";
    case ExchangeError::Kind::unavailable: return "unavailable";
  }
  return "?";
}

std::string ExchangeError::reason() const {
  std::string out(to_string(kind_));
  if (!code_.empty()) out += " " + code_;
  if (what()[0] != '\0') out += " " + std::string(what());
  return out;
}

}  // namespace ptp::exchange
