// Small builders shared by the core tests.
#pragma once

#include "core/decision.hpp"

namespace ptp::test {

inline core::InstrumentFilters eth_filters() {
  return core::InstrumentFilters::in_base_units(core::Price::parse("0.01"), core::Qty::parse("0.001"),
                                          core::Qty::parse("0.001"), core::Notional::parse("20"));
}

inline core::PositionKey key_of(const char* symbol, core::Side side, std::uint32_t generation = 1) {
  return core::PositionKey{core::Exchange::binance, "main", core::Symbol::parse(symbol), side, generation};
}

// Adopts a position that must be valid; entry/stop/size as decimal text.
inline core::Position adopted(const char* symbol, core::Side side, const char* entry, const char* stop,
                              const char* size) {
  auto a = core::adopt(key_of(symbol, side), core::Price::parse(entry), core::Qty::parse(size),
                       core::Price::parse(stop), std::nullopt, eth_filters());
  if (!a.position) throw std::logic_error(a.reason);
  return *a.position;
}

}  // namespace ptp::test
