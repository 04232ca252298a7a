#include "exchange/exchange.hpp"

namespace ptp::exchange {

core::Reason reason_of(ExchangeError::Kind k) {
  switch (k) {
    case ExchangeError::Kind::rejected: return core::Reason::rejected;
    case ExchangeError::Kind::duplicate_client_id: return core::Reason::duplicate_client_id;
    case ExchangeError::Kind::timeout: return core::Reason::timeout;
    case ExchangeError::Kind::not_found: return core::Reason::not_found;
    case ExchangeError::Kind::unavailable: return core::Reason::unavailable;
  }
  return core::Reason::other;
}

std::string ExchangeError::reason() const { return core::reason_text(reason_of(kind_), code_, what()); }

}  // namespace ptp::exchange
