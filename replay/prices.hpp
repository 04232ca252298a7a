// Recorded prices for a replay: the node's own recording (`ptp-node --record`: "ts_ms,symbol,price"
// lines) and Binance's public-data CSV files (klines, mark-price klines, aggTrades), with or
// without their header line. A kline is a bar: the path through it is chosen per position side.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "core/side.hpp"
#include "core/symbol.hpp"

namespace ptp::replay {

// Bad input: the message names the file and, where there is one, the line ("FILE:LINE: what").
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Tick {
  std::int64_t ms = 0;  // milliseconds since the epoch (UTC)
  core::Price price;
};

struct Bar {
  std::int64_t open_ms = 0;
  std::int64_t close_ms = 0;
  core::Price open, high, low, close;
};

// Which way a bar is walked. worst: against the position first (long: open, low, high, close;
// short: open, high, low, close), so a bar that touched both the stop and a target stops it out.
// best: the other way round.
enum class BarPath : unsigned char { worst, best };

// One symbol's prices, from every file that had it.
struct SymbolPrices {
  core::Symbol symbol{"BTC", "USDT"};
  std::vector<Tick> ticks;  // recordings and aggTrades
  std::vector<Bar> bars;    // klines
  std::string first_source;  // "FILE:LINE" of its first price, for messages

  // The price path a position on `side` sees, oldest first: the ticks, and each bar as four ticks
  // (open at its open time, the two extremes at a third and two thirds of it, close at its close).
  std::vector<Tick> path(core::Side side, BarPath mode) const;
  std::size_t size() const { return ticks.size() + 4 * bars.size(); }
};

using PriceSet = std::map<core::Symbol, SymbolPrices>;

// Reads one file into `into`, detecting its format from its header or its column count.
// `symbol_hint` names the instrument of a Binance file (else its name does: "BTCUSDT-1m-2024-01.csv").
// Throws InputError naming FILE:LINE: a malformed line, timestamps going backwards, no prices.
void load_prices(const std::string& path, const std::optional<core::Symbol>& symbol_hint, PriceSet& into);

// Binance's 2025 spot files count microseconds; older files and every futures file milliseconds.
// Told apart by magnitude (a millisecond time passes 1e14 only in the year 5138).
inline std::int64_t to_ms(std::int64_t t) { return t >= 100'000'000'000'000 ? t / 1000 : t; }

}  // namespace ptp::replay
