// Websocket price frames -> ticks: what every venue's frame parser shares. The parsers themselves
// live with their venue (exchange/binance/frames.hpp, exchange/gateio/frames.hpp).
//
// The hot path never allocates: the frame is copied into a reusable padded buffer, symbols are
// looked up in a sorted table by string_view, and prices parse from the JSON string into 1e-8
// units. A malformed frame, an unknown event or symbol, or a non-numeric/negative price is a
// result code (counted by the caller), never an exception and never a tick.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/symbol.hpp"

namespace ptp::exchange {

// A venue's spellings of the managed symbols, each with a small index.
class SymbolTable {
 public:
  using Spelling = std::function<std::string(const core::Symbol&)>;
  SymbolTable(const std::vector<core::Symbol>& symbols, const Spelling& spell);
  // Exact, case-sensitive match on the venue's spelling ("BTCUSDT", "BTC_USDT"); -1 when unknown.
  int find(std::string_view spelling) const;
  const core::Symbol& symbol(int index) const { return symbols_[static_cast<std::size_t>(index)]; }
  std::size_t size() const { return symbols_.size(); }

 private:
  std::vector<core::Symbol> symbols_;
  std::vector<std::pair<std::string, int>> sorted_;  // spelling -> index
};

struct FrameTick {
  int symbol = -1;              // index in the SymbolTable
  core::Price price;            // mark price (a book ticker: the mid of best bid and ask, tick-truncated)
  std::int64_t event_time_ms = 0;
};

enum class FrameResult : unsigned char { tick, ignored, malformed, unknown_symbol, bad_price };
std::string_view to_string(FrameResult r);

}  // namespace ptp::exchange
