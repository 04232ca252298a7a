// Binance USDT-M price frames: markPriceUpdate or bookTicker, raw or inside a combined-stream
// wrapper {"stream":"btcusdt@markPrice@1s","data":{...}}. Other events (and subscription answers)
// are ignored.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "exchange/frames.hpp"

namespace ptp::exchange::binance {

SymbolTable symbol_table(const std::vector<core::Symbol>& symbols);  // "BTCUSDT"

class FrameParser {
 public:
  explicit FrameParser(const SymbolTable& symbols);
  ~FrameParser();
  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;
  FrameResult parse(std::string_view frame, FrameTick& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::exchange::binance
