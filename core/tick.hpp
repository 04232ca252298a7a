// A price observation for one instrument, as it enters the node.
#pragma once

#include <cstdint>

#include "core/decimal.hpp"
#include "core/symbol.hpp"

namespace ptp::core {

struct PriceTick {
  Symbol symbol{"BTC", "USDT"};
  Price price;                     // the mark price
  std::int64_t received_ns = 0;    // steady-clock time it entered the node (tick-to-decision latency)
};

}  // namespace ptp::core
