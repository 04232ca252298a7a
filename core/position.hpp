// Position identity, adoption (capturing the initial stop that defines 1R) and R arithmetic.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "core/decimal.hpp"
#include "core/filters.hpp"
#include "core/side.hpp"
#include "core/symbol.hpp"

namespace ptp::core {

// Identifies one position's life. The generation changes when a position on the same symbol and
// side is fully closed and a new one opens, so old history never blocks (or mixes with) the new one.
struct PositionKey {
  Exchange exchange = Exchange::sim;
  std::string account;
  Symbol symbol{"BTC", "USDT"};
  Side side = Side::long_;
  std::uint32_t generation = 1;

  std::string str() const;  // "binance:main:ETH_USDT:long#3"
  auto operator<=>(const PositionKey&) const = default;
};

// An adopted open position: what the node knows and keeps for the position's life.
struct Position {
  PositionKey key;
  Price entry;
  Price initial_stop;     // captured once at adoption: the R unit, never derived from the moving stop
  Qty original_size;
  Qty remaining_size;
  Price current_stop;
  std::optional<Price> trail_best;  // most favourable mark since trailing began

  Side side() const { return key.side; }
  Price risk() const { return (entry - initial_stop).abs(); }  // 1R as a price distance

  // The one bookkeeping of what the node does to a position (a stage, a trailing move, a repair):
  // a filled close comes off the size; a stop placed becomes the stop.
  void closed(Qty filled) { remaining_size -= filled; }
  void stop_moved(Price stop) { current_stop = stop; }
};

enum class AdoptStatus : unsigned char {
  adopted,               // the exchange's stop became the initial stop
  adopted_default_stop,  // no stop was found; the config's default distance gave one
  left_alone,            // no stop and no default: the node does not guess
  rejected,              // inconsistent input (stop at entry or on the wrong side, ...)
};
std::string_view to_string(AdoptStatus s);

struct Adoption {
  AdoptStatus status = AdoptStatus::rejected;
  std::optional<Position> position;  // set when adopted
  std::string reason;                // why not adopted, or how the stop was chosen
};

// Adopts an open position reported with `entry`, `size` and its current stop, if any. With no stop,
// `default_stop_pct` (percent of entry) places one, tick-rounded away from the entry.
Adoption adopt(const PositionKey& key, Price entry, Qty size, std::optional<Price> stop,
               std::optional<Ratio> default_stop_pct, const InstrumentFilters& filters);

// R = direction x (price - entry) / |entry - initial stop|, truncated to 1e-8.
Ratio r_multiple(const Position& p, Price price);
// A stop level as logs name it: "2000 (breakeven)", "2050 (+1R)", "1950 (-1R)".
std::string stop_label(const Position& p, Price stop);

// The first price (in 1e-8 units) at which the position is `r` R in profit: the mark reaches `r`
// exactly when it is at or beyond this price. Offsets round away from the entry.
Price trigger_price(const Position& p, Ratio r);

// The exact price entry + direction x r x risk, rounded to 1e-8 toward the losing side (the side a
// stop may safely sit on). Tick rounding happens in valid_stop_price.
Price stop_target(const Position& p, Ratio r);

// `price` is at or beyond `level` in the position's favour (long: >=, short: <=).
bool at_or_beyond(Side side, Price price, Price level);

// `a` is a tighter stop than `b` (closer to the price in the position's favour).
bool tighter_stop(Side side, Price a, Price b);

}  // namespace ptp::core
