// Gate.io error labels -> what the node does about them. Every label the node can meet is in one
// table (errors.cpp); anything else is a rejection that quotes Gate's label and message.
#pragma once

#include <string>
#include <string_view>

#include "exchange/exchange.hpp"

namespace ptp::exchange::gateio {

// An HTTP answer that is not a success: the status, and Gate's {"label":..,"message":..} if present
// (`label` empty when the body had none).
// - unknown outcome (the order may exist; query first): HTTP 5xx/408, SERVER_ERROR, TOO_BUSY, and a
//   5xx without a readable error body -> Kind::timeout
// - no such order: ORDER_NOT_FOUND -> Kind::not_found
// - try again later, nothing happened: HTTP 429, TOO_MANY_REQUESTS, REQUEST_EXPIRED (after the one
//   resync and retry) -> Kind::unavailable
// - rejected with a reason (the stage records failed:<reason> and may retry): everything else, e.g.
//   POSITION_EMPTY, REDUCE_EXCEEDED, SIZE_TOO_SMALL, SIZE_TOO_LARGE, INVALID_PARAM_VALUE,
//   INVALID_SIGNATURE, INVALID_KEY, ORDER_FINISHED, CONTRACT_NOT_FOUND, INSUFFICIENT_AVAILABLE.
// The error's code is the label ("HTTP 503" without one) and its text `message`:
// reason() reads "rejected POSITION_EMPTY Position is empty".
ExchangeError classify(long http_status, std::string_view label, const std::string& message);

}  // namespace ptp::exchange::gateio
