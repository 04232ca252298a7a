// Websocket price frames -> ticks, with simdjson On-Demand, straight into exact decimals.
//
// The hot path never allocates: the frame is copied into a reusable padded buffer, symbols are
// looked up in a sorted table by string_view, and prices parse from the JSON string into 1e-8
// units. A malformed frame, an unknown event or symbol, or a non-numeric/negative price is a
// result code (counted by the caller), never an exception and never a tick.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/symbol.hpp"

namespace ptp::exchange {

// Exchange spellings of the managed symbols, each with a small index.
class SymbolTable {
 public:
  SymbolTable(core::Exchange exchange, const std::vector<core::Symbol>& symbols);
  // Exact, case-sensitive match on the exchange's spelling ("BTCUSDT", "BTC_USDT"); -1 when unknown.
  int find(std::string_view spelling) const;
  const core::Symbol& symbol(int index) const { return symbols_[static_cast<std::size_t>(index)]; }
  std::size_t size() const { return symbols_.size(); }

 private:
  std::vector<core::Symbol> symbols_;
  std::vector<std::pair<std::string, int>> sorted_;  // spelling -> index
};

struct FrameTick {
  int symbol = -1;              // index in the SymbolTable
  core::Price price;            // mark price (bookTicker: the mid of best bid and ask, tick-truncated)
  std::int64_t event_time_ms = 0;
};

enum class FrameResult : unsigned char { tick, ignored, malformed, unknown_symbol, bad_price };
std::string_view to_string(FrameResult r);

class FrameParser {
 public:
  explicit FrameParser(const SymbolTable& symbols);
  ~FrameParser();
  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;

  // Binance USDT-M: markPriceUpdate or bookTicker, raw or inside a combined-stream wrapper
  // {"stream":"btcusdt@markPrice@1s","data":{...}}. Other events (and subscription acks) are ignored.
  FrameResult parse_binance(std::string_view frame, FrameTick& out);

  // Gate.io futures.tickers update: `result` is an array, so one frame may carry several ticks.
  // Returns the first failure or `tick`/`ignored`; `out` receives every good tick.
  FrameResult parse_gateio(std::string_view frame, std::vector<FrameTick>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::exchange
