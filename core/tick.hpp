// A price observation for one instrument, as it enters the node.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/decimal.hpp"
#include "core/symbol.hpp"

namespace ptp::core {

// The clock ticks are stamped with (steady: latencies, never wall time).
inline std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Wall-clock milliseconds since the epoch: exchange timestamps (signing, server time), never latencies.
inline std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct PriceTick {
  Symbol symbol{"BTC", "USDT"};
  Price price;                     // the mark price
  std::int64_t received_ns = 0;    // steady-clock time it entered the node (tick-to-decision latency)
};

}  // namespace ptp::core
