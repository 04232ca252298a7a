// The one interface every exchange implements: the embedded simulator, and the Binance and
// Gate.io adapters. Calls are synchronous; the node makes them from its exchange actor, never from
// an actor that handles ticks. Failures throw ExchangeError; a timeout is an *unknown* outcome
// (the order may exist): resolve it with query() before doing anything else.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/filters.hpp"
#include "core/order.hpp"
#include "core/order_budget.hpp"
#include "core/order_call.hpp"
#include "core/outcome.hpp"

namespace ptp::exchange {

class ExchangeError : public std::runtime_error {
 public:
  enum class Kind : unsigned char { rejected, duplicate_client_id, timeout, not_found, unavailable };
  // `position_smaller`: a rejection saying the position is gone or smaller than the order (a
  // reduce-only order refused, an empty position): the node reconciles before it acts again.
  ExchangeError(Kind kind, std::string code, const std::string& message, bool position_smaller = false)
      : std::runtime_error(message), kind_(kind), code_(std::move(code)), position_smaller_(position_smaller) {}
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }  // the exchange's own code, e.g. "-2022"
  bool position_smaller() const { return position_smaller_; }
  // "rejected -2022 ReduceOnly Order is rejected": the text recorded as failed:<reason>.
  std::string reason() const;

 private:
  Kind kind_;
  std::string code_;
  bool position_smaller_ = false;
};

// The outcome reason an exchange failure of this kind gives a stage (the same words).
core::Reason reason_of(ExchangeError::Kind k);

struct ExchangePosition {
  core::Symbol symbol;
  core::Side side;
  core::Price entry;
  core::Qty size;  // positive, in base units
};

class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual std::vector<ExchangePosition> open_positions() = 0;
  // Resting stop and take-profit orders of every symbol.
  virtual std::vector<core::OrderState> open_orders() = 0;
  virtual core::InstrumentFilters filters(const core::Symbol& symbol) = 0;
  virtual core::Price mark_price(const core::Symbol& symbol) = 0;

  // A reduce-only market order closing `qty` of the position on `position_side`.
  virtual core::OrderState close_market(const core::Symbol& symbol, core::Side position_side, core::Qty qty,
                                        const std::string& client_id) = 0;
  // A reduce-only stop (kind stop) or take-profit (kind take_profit) that closes `qty` when the
  // mark crosses `trigger`.
  virtual core::OrderState place_conditional(core::OrderKind kind, const core::Symbol& symbol,
                                             core::Side position_side, core::Price trigger, core::Qty qty,
                                             const std::string& client_id) = 0;
  virtual void cancel(const core::Symbol& symbol, const core::OrderRef& order) = 0;
  // The order the node sent under lookup.client_id, or nullopt when the exchange never made it.
  virtual std::optional<core::OrderState> query(const core::OrderLookup& lookup) = 0;
  // The account's order limits (placements per window) as the exchange documents them; the node
  // keeps to a share of them (core/order_budget.hpp).
  virtual std::vector<core::RateWindow> order_limits() const = 0;
};

// Carries one of the node's order commands to `ex` and turns what happens into the answer the
// core's state machines take (a failure is a value): the exchange actor and ptp-replay both call it.
core::OrderAnswer send_order(Exchange& ex, const core::OrderCommand& command);

}  // namespace ptp::exchange
