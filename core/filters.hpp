// An instrument's trading filters and the rounding rules every order must pass.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/decimal.hpp"
#include "core/side.hpp"

namespace ptp::core {

struct InstrumentFilters {
  Price tick_size;                // prices are multiples of this
  Qty step_size;                  // base quantities are multiples of this (Gate.io: one contract)
  Qty min_qty;                    // smallest order quantity, in base units
  Qty max_qty;                    // largest market order, in base units (Binance MARKET_LOT_SIZE.maxQty,
                                  // Gate.io order_size_max contracts); zero when unknown
  Notional min_notional;          // zero when the exchange has none
  bool min_notional_on_reduce_only = false;  // Binance exempts reduce-only orders (-4164 text)
  std::optional<Qty> contract_size;          // Gate.io: base quantity of one contract; orders count contracts

  // Sizes in base units: a step, a minimum and (where the venue has one) a minimum notional
  // (Binance's LOT_SIZE and MIN_NOTIONAL filters read this way).
  static InstrumentFilters in_base_units(Price tick_size, Qty step_size, Qty min_qty, Notional min_notional);
  // Sizes in whole contracts of `contract_size` base units, at least `min_contracts` (Gate.io's
  // quanto_multiplier and order_size_min read this way).
  static InstrumentFilters in_contracts(Price tick_size, Qty contract_size, std::int64_t min_contracts);

  // Throws std::invalid_argument with the reason when a filter is non-positive or inconsistent.
  void validate() const;

  // Whole contracts for a base quantity (Gate.io); throws unless it is an exact multiple.
  std::int64_t contracts(Qty qty) const;
};

enum class SkipReason : unsigned char { below_min_qty, below_min_notional };
std::string_view to_string(SkipReason r);

// The quantity a stage actually closes, after the exchange's rules.
struct CloseSizing {
  Qty qty;                          // zero when skipped
  bool closes_all = false;          // the remainder would have fallen below the minimum
  std::optional<SkipReason> skip;   // set when nothing can be closed
};

// Rules: never more than planned or than what is open; round down to the step; a remainder below
// the minimum is closed too; a close below the minimum (or below min notional, where it applies
// to reduce-only orders) is skipped with its reason.
CloseSizing size_close(Qty planned, Qty remaining, Price mark, const InstrumentFilters& filters);

// The next market order of a close of `remaining` base units: all of it, or, where the venue caps a
// market order (max_qty), the largest piece it accepts, shrunk so the rest is never left below the
// minimum (a rest the venue would refuse). A close is sent as these pieces one after another.
Qty close_piece(Qty remaining, const InstrumentFilters& filters);

struct StopPrice {
  Price price;
  bool clamped = false;  // the tick-rounded target was at or beyond the mark; moved one tick inside
};

// Rounds a stop target to the tick on the side that keeps it valid: a long's stop down, a short's
// up, and always strictly on the losing side of `mark` (a stop at or past the mark would trigger at
// once or be rejected). nullopt when no positive valid price exists.
std::optional<StopPrice> valid_stop_price(Side side, Price target, Price mark, const InstrumentFilters& filters);

// Rounds a take-profit target to the tick away from the entry (never earlier than planned).
Price take_profit_price(Side side, Price target, const InstrumentFilters& filters);

}  // namespace ptp::core
