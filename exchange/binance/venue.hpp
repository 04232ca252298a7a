// Binance USDT-M futures as a venue: the REST adapter, the market stream and the user-data stream.
#pragma once

#include <memory>

#include "exchange/venue.hpp"

namespace ptp::exchange::binance {

// Reachable (the server's clock read) or throws naming the URL and the cause.
std::unique_ptr<Venue> make_venue(const config::Config& cfg);

}  // namespace ptp::exchange::binance
