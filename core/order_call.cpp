#include "core/order_call.hpp"

namespace ptp::core {

std::string OrderAnswer::reason() const { return error ? reason_text(*error, code, message) : message; }

Outcome OrderAnswer::failure() const { return Outcome{OutcomeKind::failed, error.value_or(Reason::other), code, message}; }

OrderLookup OrderCommand::lookup() const {
  const OrderKind kind = sent_as == Op::stop          ? OrderKind::stop
                         : sent_as == Op::take_profit ? OrderKind::take_profit
                                                      : OrderKind::market_close;
  return OrderLookup{symbol, client_id, kind, side, qty, trigger};
}

OrderCall OrderCall::send(OrderCommand order) { return OrderCall(std::move(order), Phase::sending); }
OrderCall OrderCall::send_once(OrderCommand order) { return OrderCall(std::move(order), Phase::looking_up); }

OrderCall::OrderCall(OrderCommand order, Phase phase) : order_(std::move(order)), next_(order_), phase_(phase) {
  if (phase_ == Phase::looking_up) next_ = query();
}

OrderCommand OrderCall::query() const {
  OrderCommand q = order_;
  q.op = OrderCommand::Op::query;
  q.sent_as = order_.op;
  q.ref = {};
  return q;
}

bool OrderCall::answer(const OrderAnswer& a, std::vector<Note>& notes) {
  switch (phase_) {
    case Phase::looking_up:
      if (!a.ok) {  // cannot tell whether it went out: nothing is sent
        result_ = a;
        return true;
      }
      if (a.found && a.state.status != OrderStatus::rejected) {
        notes.push_back({Note::Level::warn, "recovery",
                         "order " + order_.client_id + " was sent before the restart: " + std::string(to_string(a.state.status))});
        result_ = a;
        return true;
      }
      phase_ = Phase::sending;
      next_ = order_;
      return false;
    case Phase::sending:
      if (a.ok || !a.outcome_unknown()) {
        result_ = a;
        return true;
      }
      unknown_ = a;
      phase_ = Phase::resolving;
      next_ = query();
      return false;
    case Phase::resolving:
      if (a.ok && a.found) {
        notes.push_back({Note::Level::warn, "exchange",
                         "order " + order_.client_id + " had an unknown outcome (" + unknown_.reason() +
                             "); the exchange has it: " + std::string(to_string(a.state.status))});
        result_ = a;
        result_.code.clear();
        result_.message.clear();
      } else {
        result_ = unknown_;  // not placed: a retry is a new order under a new id
      }
      return true;
  }
  return true;
}

ReplaceCall::ReplaceCall(OrderCommand order, OrderRef old, bool resumed)
    : order_(order), old_(std::move(old)), call_(resumed ? OrderCall::send_once(order) : OrderCall::send(order)) {}

bool ReplaceCall::answer(const OrderAnswer& a, std::vector<Note>& notes) {
  if (!call_.answer(a, notes)) return false;
  if (cancelling_) {
    if (!call_.result().ok) cancel_error_ = call_.result().reason();
    return true;
  }
  placed_ = call_.result();
  if (!placed_.ok || old_.empty()) return true;
  cancelling_ = true;
  call_ = OrderCall::send(OrderCommand{OrderCommand::Op::cancel, order_.symbol, order_.side, {}, {}, {}, old_});
  return false;
}

}  // namespace ptp::core
