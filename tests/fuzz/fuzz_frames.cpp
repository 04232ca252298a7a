// Fuzz target: the websocket price-frame parsers (Binance markPrice/bookTicker, raw or combined;
// Gate.io futures.tickers). Properties: no crash, no exception, and a tick always names a managed
// symbol with a positive price.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "exchange/binance/frames.hpp"
#include "exchange/gateio/frames.hpp"

namespace {

bool good(const ptp::exchange::FrameTick& t, std::size_t symbols) {
  return t.symbol >= 0 && static_cast<std::size_t>(t.symbol) < symbols && t.price.is_positive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ptp;
  static const std::vector<core::Symbol> kSymbols{core::Symbol::parse("BTC"), core::Symbol::parse("ETH")};
  static const exchange::SymbolTable kBinance = exchange::binance::symbol_table(kSymbols);
  static const exchange::SymbolTable kGate = exchange::gateio::symbol_table(kSymbols);
  static exchange::binance::FrameParser binance(kBinance);
  static exchange::gateio::FrameParser gate(kGate);
  const std::string_view frame(reinterpret_cast<const char*>(data), size);

  exchange::FrameTick tick;
  if (binance.parse(frame, tick) == exchange::FrameResult::tick && !good(tick, kSymbols.size())) std::abort();
  std::vector<exchange::FrameTick> ticks;
  const auto r = gate.parse(frame, ticks);
  for (const auto& t : ticks)
    if (!good(t, kSymbols.size())) std::abort();
  if (r == exchange::FrameResult::tick && ticks.empty()) std::abort();
  return 0;
}
