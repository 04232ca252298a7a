// Binance error codes -> what the node does about them. Every code the node can meet is here;
// anything else is a rejection that quotes Binance's code and message.
#pragma once

#include <string>

#include "exchange/exchange.hpp"

namespace ptp::exchange::binance {

// An HTTP answer that is not a success: the status, and Binance's {"code":..,"msg":..} if present.
// - unknown outcome (the order may exist; query by client id first): HTTP 503/408/5xx, -1000, -1001,
//   -1006, -1007 -> Kind::timeout
// - already placed: -4116 -> Kind::duplicate_client_id
// - no such order: -2011, -2013, -2018 (algo) -> Kind::not_found
// - try again later, nothing happened: HTTP 429/418, -1003, -1021 after one resync -> Kind::unavailable
// - rejected with a reason (the stage records failed:<reason> and may retry): everything else,
//   e.g. -2022 reduce-only rejected (flagged position_smaller: the node reconciles first), -2021 would trigger at once, -4164 min notional, -1022 bad
//   signature, -2015 key/permissions.
ExchangeError classify(long http_status, int code, const std::string& message);

}  // namespace ptp::exchange::binance
