// Gate.io USDT-settled futures as a venue: the REST adapter, the tickers stream and the account
// stream (orders, price-triggered orders, positions).
#pragma once

#include <memory>

#include "exchange/venue.hpp"

namespace ptp::exchange::gateio {

// Reachable (the server's clock read, the account's user id and position mode known) or throws
// naming the URL and the cause.
std::unique_ptr<Venue> make_venue(const config::Config& cfg);

}  // namespace ptp::exchange::gateio
