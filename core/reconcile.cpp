#include "core/reconcile.hpp"

#include <algorithm>

namespace ptp::core {
namespace {

bool same_order(const OrderRef& a, const OrderRef& b) {
  if (!a.client_id.empty() && !b.client_id.empty()) return a.client_id == b.client_id;
  return !a.exchange_id.empty() && a.exchange_id == b.exchange_id;
}

std::optional<OrderState> find_order(const std::vector<OrderState>& orders, const OrderRef& ref, OrderKind kind) {
  if (ref.empty()) return std::nullopt;
  for (auto o : orders)
    if (o.kind == kind && same_order(o.ref, ref)) {
      // An exchange that keeps no client id on the order (Gate.io's price-triggered orders) finds
      // it by its own id: it is still the order the record names.
      if (o.ref.client_id.empty()) o.ref.client_id = ref.client_id;
      return o;
    }
  return std::nullopt;
}

Note note(Note::Level level, std::string text) { return Note{level, "reconcile", std::move(text)}; }

}  // namespace

Reconcile Reconcile::plan(const PositionRecord& record, ExecutedStages done, Price mark, const InstrumentFilters& filters,
                          const StagePlan& stage_plan, bool observe, const SlotView& slot) {
  Reconcile r;
  r.after_ = record;
  Position& p = r.after_.position;
  if (slot.size != p.remaining_size) {
    r.findings_.push_back(note(Note::Level::warn, "size changed outside the node: " + p.remaining_size.str() + " -> " +
                                                      slot.size.str() + "; adopting the exchange's size"));
    p.remaining_size = slot.size;
    r.resized_ = true;
  }
  if (!slot.size.is_positive() || observe) return r;
  const Qty size = slot.size;
  const Price want = owed_stop(p, done, mark, filters, stage_plan);
  r.old_stop_ = find_order(slot.orders, record.stop_order, OrderKind::stop);
  if (!r.old_stop_ && record.stop_order.empty()) {
    r.stop_ = want;  // adopted without one: the default stop ("stop placed at ..." says so)
  } else if (!r.old_stop_) {
    // A stop the node placed whose record was lost (storage failed before a crash) may be there,
    // as tight as the record calls for or tighter (a trailing move): that one is the stop.
    std::optional<OrderState> found;
    for (const auto& o : slot.orders)
      if (o.kind == OrderKind::stop && placed_for(p.key, o.ref.client_id) && (o.qty == size || o.qty.is_zero()) &&
          !tighter_stop(p.side(), want, o.trigger_price) &&
          (!found || tighter_stop(p.side(), o.trigger_price, found->trigger_price)))
        found = o;
    if (found) {
      r.findings_.push_back(note(Note::Level::warn, "the record's stop " + record.stop_order.str() +
                                                        " is gone; the node's stop " + found->ref.str() + " at " +
                                                        found->trigger_price.str() + " is on the exchange: keeping it"));
      r.old_stop_ = found;
      r.after_.stop_order = found->ref;
      p.current_stop = found->trigger_price;
      r.found_stop_ = true;
    } else {
      r.findings_.push_back(note(Note::Level::critical, "has no stop on the exchange (the record's " +
                                                            record.stop_order.str() + " is gone): placing " + want.str() +
                                                            " now"));
      r.stop_ = want;
    }
  } else if (r.old_stop_->trigger_price != want ||
             !(r.old_stop_->qty == size || r.old_stop_->qty.is_zero())) {  // zero: closePosition, all of it
    r.findings_.push_back(note(Note::Level::warn, "stop on the exchange is " + r.old_stop_->trigger_price.str() + " x " +
                                                      r.old_stop_->qty.str() + "; the record calls for " + want.str() +
                                                      " x " + size.str() + ": replacing it"));
    r.stop_ = want;
  }
  if (auto tp = extreme_take_profit(p, stage_plan, filters)) {
    // The user's own take-profit, adopted with the position, is theirs to size and price.
    r.old_take_profit_ = find_order(slot.orders, record.tp_order, OrderKind::take_profit);
    const bool users = r.old_take_profit_ && !placed_for(p.key, r.old_take_profit_->ref.client_id);
    if (!r.old_take_profit_ ||
        (!users && (r.old_take_profit_->trigger_price != *tp || r.old_take_profit_->qty != size)))
      r.take_profit_ = tp;
  }
  for (const auto& o : slot.orders) {
    const bool current = (r.old_stop_ && same_order(o.ref, r.old_stop_->ref)) ||
                         (r.old_take_profit_ && same_order(o.ref, r.old_take_profit_->ref));
    if (current) continue;
    const bool ours = placed_for(p.key, o.ref.client_id);
    const bool looser_stop = o.kind == OrderKind::stop && !tighter_stop(p.side(), o.trigger_price, want);
    if (ours || looser_stop) r.leftovers_.push_back(o);
  }
  return r;
}

Reconcile::Step Reconcile::begin() { return replace(Phase::stop, {}); }

// The next replacement, if it needs one: first its order number, saved.
Reconcile::Step Reconcile::replace(Phase phase, std::vector<Note> notes) {
  phase_ = phase;
  if (phase == Phase::stop && !stop_) return replace(Phase::take_profit, std::move(notes));
  if (phase == Phase::take_profit && !take_profit_) return next_leftover(std::move(notes));
  PositionRecord numbered = after_;
  numbered.order_seq += 1;
  return Step{Reserve{numbered}, std::move(notes)};
}

Reconcile::Step Reconcile::reserved() {
  after_.order_seq += 1;
  const Position& p = after_.position;
  const bool stop = phase_ == Phase::stop;
  const OrderStep step = stop ? OrderStep::stop : OrderStep::take_profit;
  const auto& old = stop ? old_stop_ : old_take_profit_;
  replace_.emplace(OrderCommand{stop ? OrderCommand::Op::stop : OrderCommand::Op::take_profit, p.key.symbol, p.side(),
                                p.remaining_size, stop ? *stop_ : *take_profit_,
                                repair_order_id(p.key, step, after_.order_seq), {}},
                   old ? old->ref : OrderRef{}, /*resumed=*/false);
  return Step{Send{replace_->next()}, {}};
}

Reconcile::Step Reconcile::reserve_failed(const std::string& why) {
  OrderAnswer none;
  none.message = "not sent: its order number could not be saved (" + why + ")";
  return placed(none, {}, {});
}

Reconcile::Step Reconcile::order_answered(const OrderAnswer& answer) {
  std::vector<Note> notes;
  if (phase_ == Phase::leftovers) {
    if (!cancel_->answer(answer, notes)) return Step{Send{cancel_->next()}, std::move(notes)};
    const OrderState& o = leftovers_[next_leftover_ - 1];
    if (cancel_->result().ok)
      notes.push_back(note(Note::Level::warn, "cancelled the leftover " + std::string(to_string(o.kind)) + " " +
                                                  o.trigger_price.str() + " (" + o.ref.str() + ")"));
    else
      notes.push_back(note(Note::Level::error, "leftover " + std::string(to_string(o.kind)) + " " + o.ref.str() +
                                                   " not cancelled: " + cancel_->result().reason()));
    return next_leftover(std::move(notes));
  }
  if (!replace_->answer(answer, notes)) return Step{Send{replace_->next()}, std::move(notes)};
  return placed(replace_->placed(), replace_->cancel_error(), std::move(notes));
}

Reconcile::Step Reconcile::placed(const OrderAnswer& placed, const std::string& cancel_error, std::vector<Note> notes) {
  const Position& p = after_.position;
  const std::string size = p.remaining_size.str();
  if (phase_ == Phase::stop) {
    if (!placed.ok) {
      notes.push_back(note(Note::Level::critical, "stop " + stop_->str() + " x " + size + " not placed: " +
                                                      placed.reason() + "; asking again at the next health check" +
                                                      (old_stop_ ? "; the old stop stays" : " (THE POSITION HAS NO STOP)")));
      std::erase_if(leftovers_, [](const OrderState& o) { return o.kind == OrderKind::stop; });
    } else {
      if (after_.stop_order.empty())
        notes.push_back(note(Note::Level::info, "stop placed at " + stop_label(p, *stop_) + " x " + size));
      else
        notes.push_back(note(Note::Level::warn, "stop restored at " + stop_label(p, *stop_) + " x " + size +
                                                    (cancel_error.empty() ? "" : "; old stop: " + cancel_error)));
      after_.stop_placed(*stop_, placed.state.ref);
    }
    return replace(Phase::take_profit, std::move(notes));
  }
  if (!placed.ok) {
    notes.push_back(note(Note::Level::error, "take-profit " + take_profit_->str() + " x " + size +
                                                 " not placed: " + placed.reason()));
  } else {
    if (old_take_profit_ || !after_.tp_order.empty())
      notes.push_back(note(Note::Level::warn, "take-profit set to " + take_profit_->str() + " x " + size +
                                                  (cancel_error.empty() ? "" : "; old one: " + cancel_error)));
    else
      notes.push_back(note(Note::Level::info, "extreme take-profit placed at " + take_profit_->str() + " x " + size));
    after_.tp_order = placed.state.ref;
  }
  return next_leftover(std::move(notes));
}

Reconcile::Step Reconcile::next_leftover(std::vector<Note> notes) {
  phase_ = Phase::leftovers;
  if (next_leftover_ < leftovers_.size()) {
    const OrderState& o = leftovers_[next_leftover_++];
    cancel_ = OrderCall::send(OrderCommand{OrderCommand::Op::cancel, o.symbol, o.position_side, {}, {}, {}, o.ref});
    return Step{Send{cancel_->next()}, std::move(notes)};
  }
  return Step{Save{after_}, std::move(notes)};
}

Reconcile::Step Reconcile::saved() {
  return Step{Done{after_}, {}};
}

Reconcile::Step Reconcile::save_failed(const std::string& why) {
  return Step{Done{after_}, {note(Note::Level::error, "repair not saved: " + why)}};
}

}  // namespace ptp::core
