// Gate.io futures price frames: a futures.tickers update, whose `result` is an array, so one frame
// may carry several ticks.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "exchange/frames.hpp"

namespace ptp::exchange::gateio {

SymbolTable symbol_table(const std::vector<core::Symbol>& symbols);  // "BTC_USDT"

class FrameParser {
 public:
  explicit FrameParser(const SymbolTable& symbols);
  ~FrameParser();
  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;
  // The first failure, or tick/ignored; `out` receives every good tick.
  FrameResult parse(std::string_view frame, std::vector<FrameTick>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::exchange::gateio
