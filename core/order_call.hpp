// One order's conversation with an exchange, as a state machine with no I/O: the command to send
// next in, the exchange's answer back, until it ends. It never sends one order twice: an answer
// that leaves the outcome unknown (a timeout, a duplicate client id) is resolved by asking for the
// client id, and a resumed run (one a crash interrupted) asks before it sends.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/order.hpp"
#include "core/outcome.hpp"

namespace ptp::core {

// A request to the exchange.
struct OrderCommand {
  enum class Op : unsigned char { close, stop, take_profit, cancel, query };
  Op op = Op::close;
  Symbol symbol;
  Side side = Side::long_;
  Qty qty;
  Price trigger;
  std::string client_id;  // close, stop, take_profit, query
  OrderRef ref;           // cancel
  Op sent_as = Op::close;  // query: what the order looked up was sent as (close, stop, take_profit)

  // query: the lookup the exchange gets.
  OrderLookup lookup() const;
};

// The exchange's answer; a failure is a value.
struct OrderAnswer {
  bool ok = false;
  OrderState state;        // the order placed, cancelled or found
  bool found = true;       // query: the exchange knows the client id
  std::optional<Reason> error;  // rejected, timeout, not_found, unavailable, duplicate_client_id
  std::string code;        // the exchange's own code: "-2022"
  std::string message;     // its message, or what else went wrong
  bool position_smaller = false;  // refused: the position is gone or smaller than the order

  std::string reason() const;  // "rejected -2022 ReduceOnly Order is rejected.", for logs
  // A timeout or a duplicate client id: the order may or may not exist, only its id can tell.
  bool outcome_unknown() const { return error == Reason::timeout || error == Reason::duplicate_client_id; }
  Outcome failure() const;     // a stage that ends on this answer failed for this reason
};

// Something worth a log line, for the actor to write as "[tag] <position> <text>".
struct Note {
  enum class Level : unsigned char { info, warn, error, critical };
  Level level = Level::info;
  std::string tag;
  std::string text;
};

class OrderCall {
 public:
  // Sends `order`; an unknown outcome is resolved by asking for its client id.
  static OrderCall send(OrderCommand order);
  // Asks for the client id first and sends only if the exchange has never seen it (recovery: the
  // interrupted run may have sent it; an id can be sent again once its order ended, so a
  // duplicate-id answer proves nothing).
  static OrderCall send_once(OrderCommand order);

  const OrderCommand& next() const { return next_; }
  // The answer to next(). True when the conversation is over: result() holds how it ended.
  bool answer(const OrderAnswer& a, std::vector<Note>& notes);
  const OrderAnswer& result() const { return result_; }

 private:
  enum class Phase : unsigned char { looking_up, sending, resolving };
  OrderCall(OrderCommand order, Phase phase);
  OrderCommand query() const;

  OrderCommand order_;
  OrderCommand next_;
  Phase phase_;
  OrderAnswer unknown_;  // the answer that left the outcome unknown, while resolving it
  OrderAnswer result_;
};

// A replacement: the new order first, then the old one cancelled, so the position is never
// without one. The cancel's failure does not undo the placement; it is reported beside it.
class ReplaceCall {
 public:
  ReplaceCall(OrderCommand order, OrderRef old, bool resumed);
  const OrderCommand& next() const { return call_.next(); }
  bool answer(const OrderAnswer& a, std::vector<Note>& notes);
  const OrderAnswer& placed() const { return placed_; }
  const std::string& cancel_error() const { return cancel_error_; }

 private:
  OrderCommand order_;
  OrderRef old_;
  OrderCall call_;
  bool cancelling_ = false;
  OrderAnswer placed_;
  std::string cancel_error_;
};

}  // namespace ptp::core
