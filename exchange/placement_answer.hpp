// The one rule for reading the answer to an order placement. A 2xx answer means the exchange took
// the order; if that answer cannot be read, the order still exists (or existed) there. Reporting it
// as "not sent" (Kind::unavailable) would make the node place the stage again under a new id: a
// second close. So it is an unknown outcome (Kind::timeout): the node looks the order up by what it
// sent before it does anything else.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "exchange/exchange.hpp"

namespace ptp::exchange {

// Reads a 2xx answer to an order placement with `read` (which returns the order): whatever `read`
// throws becomes ExchangeError(timeout) saying the exchange accepted the order and naming
// `venue`, `request` ("POST /fapi/v1/order") and the client id. Call it with the body of a 2xx
// answer only: errors the exchange answered with are not this rule's business.
template <class Read>
auto read_placement_answer(std::string_view venue, std::string_view request, std::string_view client_id, Read&& read)
    -> decltype(read()) {
  const auto unreadable = [&](std::string_view detail) {
    return ExchangeError(ExchangeError::Kind::timeout, "",
                         std::string(venue) + " accepted " + std::string(client_id) + " (" + std::string(request) +
                             ") but its answer could not be read: " + std::string(detail) +
                             "; outcome unknown, the order is looked up");
  };
  try {
    return read();
  } catch (const std::exception& e) {
    throw unreadable(e.what());
  }
}

}  // namespace ptp::exchange
