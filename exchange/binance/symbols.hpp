// How Binance USDT-M spells an instrument: "ETHUSDT" in REST and frames, "ethusdt" in stream names.
#pragma once

#include <string>

#include "core/symbol.hpp"
#include "core/text.hpp"

namespace ptp::exchange::binance {

inline std::string symbol_name(const core::Symbol& s) { return s.base() + s.quote(); }
inline std::string stream_symbol(const core::Symbol& s) { return core::ascii_lower(symbol_name(s)); }

}  // namespace ptp::exchange::binance
