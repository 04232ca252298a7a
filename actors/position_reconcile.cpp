// Reconciliation of one position: the exchange's view of its slot (at a health check, at start,
// after an outside change) against the record. What is missing or outdated is replaced (new order
// first, then the old one cancelled); leftovers are cancelled.
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"
#include "core/client_order_id.hpp"
#include "core/decision.hpp"

namespace ptp::actors::position_parts {
namespace {

bool same_order(const core::OrderRef& a, const core::OrderRef& b) {
  if (!a.client_id.empty() && !b.client_id.empty()) return a.client_id == b.client_id;
  return !a.exchange_id.empty() && a.exchange_id == b.exchange_id;
}

std::optional<core::OrderState> find_order(const std::vector<core::OrderState>& orders, const core::OrderRef& ref,
                                           core::OrderKind kind) {
  if (ref.empty()) return std::nullopt;
  for (const auto& o : orders)
    if (o.kind == kind && same_order(o.ref, ref)) return o;
  return std::nullopt;
}

// What one reconcile found wrong and repairs, in this order: the stop (placed before the old one
// is cancelled), the take-profit, then the leftovers.
struct Repair {
  storage::PositionRecord after;
  std::optional<core::Price> stop;         // replace the stop with one at this price
  std::optional<core::OrderState> old_stop;  // the record's stop as the exchange has it (cancelled after)
  std::optional<core::Price> take_profit;
  std::optional<core::OrderState> old_take_profit;
  std::vector<core::OrderState> leftovers;  // cancelled once the stop is right
  bool record_changed = false;              // the record now names a stop it had lost
};
using RepairPtr = std::shared_ptr<Repair>;

// The flight ends once the record is saved (or could not be): the next reconcile starts from it.
void finish_repair(self_ptr self, RepairPtr rep) {
  self->state.rec = rep->after;  // what the exchange now has, saved or not
  self->request(self->state.deps.persistence, caf::infinite, save_atom_v, rep->after)
      .then([=](bool) { after_flight(self); },
            [=](caf::error& e) {
              spdlog::error("[reconcile] {} repair not saved: {}", who(self), describe(e));
              after_flight(self);
            });
}

void cancel_leftovers(self_ptr self, RepairPtr rep, std::size_t i) {
  if (i >= rep->leftovers.size()) {
    finish_repair(self, rep);
    return;
  }
  const core::OrderState o = rep->leftovers[i];
  send_order(self, OrderRequest{Op::cancel, o.symbol, o.position_side, {}, {}, {}, o.ref}, [=](OrderReply c) {
    if (c.ok)
      spdlog::warn("[reconcile] {} cancelled the leftover {} {} ({})", who(self), core::to_string(o.kind),
                   o.trigger_price.str(), o.ref.str());
    else
      spdlog::error("[reconcile] {} leftover {} {} not cancelled: {}", who(self), core::to_string(o.kind), o.ref.str(),
                    c.reason());
    cancel_leftovers(self, rep, i + 1);
  });
}

// Places the repair's stop or take-profit at `price` for the remaining size under a fresh client id,
// then cancels `old` (the order it replaces), if the exchange still has one.
void replace_for_repair(self_ptr self, RepairPtr rep, core::OrderStep step, core::Price price,
                        const std::optional<core::OrderState>& old,
                        std::function<void(const OrderReply& placed, const std::string& cancel_error)> k) {
  reserve_order_seq(self, [=](std::optional<std::uint32_t> seq) {
    if (!seq) {
      OrderReply none;
      none.message = "not sent: its order number could not be saved";
      k(none, {});
      return;
    }
    rep->after.order_seq = *seq;
    const core::Position& p = rep->after.position;
    const std::string id = core::client_order_id(p.key, core::StageId{0}, step, *seq);
    OrderRequest req{step == core::OrderStep::stop ? Op::stop : Op::take_profit, p.key.symbol, p.side(),
                     p.remaining_size, price, id, {}};
    replace_order(self, req, old ? old->ref : core::OrderRef{}, /*resumed=*/false, k);
  });
}

void repair_take_profit(self_ptr self, RepairPtr rep) {
  if (!rep->take_profit) {
    cancel_leftovers(self, rep, 0);
    return;
  }
  replace_for_repair(self, rep, core::OrderStep::take_profit, *rep->take_profit, rep->old_take_profit,
                     [=](const OrderReply& r, const std::string& cancel_error) {
    if (!r.ok) {
      spdlog::error("[reconcile] {} take-profit {} x {} not placed: {}", who(self), rep->take_profit->str(),
                    rep->after.position.remaining_size.str(), r.reason());
    } else {
      if (rep->old_take_profit || !rep->after.tp_order.empty())
        spdlog::warn("[reconcile] {} take-profit set to {} x {}{}", who(self), rep->take_profit->str(),
                     rep->after.position.remaining_size.str(), cancel_error.empty() ? "" : "; old one: " + cancel_error);
      else
        spdlog::info("[reconcile] {} extreme take-profit placed at {} x {}", who(self), rep->take_profit->str(),
                     rep->after.position.remaining_size.str());
      rep->after.tp_order = r.state.ref;
    }
    cancel_leftovers(self, rep, 0);
  });
}

void repair_stop(self_ptr self, RepairPtr rep) {
  if (!rep->stop) {
    repair_take_profit(self, rep);
    return;
  }
  replace_for_repair(self, rep, core::OrderStep::stop, *rep->stop, rep->old_stop,
                     [=](const OrderReply& r, const std::string& cancel_error) {
    if (!r.ok) {
      spdlog::critical("[reconcile] {} stop {} x {} not placed: {}; asking again at the next health check{}",
                       who(self), rep->stop->str(), rep->after.position.remaining_size.str(), r.reason(),
                       rep->old_stop ? "; the old stop stays" : " (THE POSITION HAS NO STOP)");
      std::erase_if(rep->leftovers, [](const core::OrderState& o) { return o.kind == core::OrderKind::stop; });
    } else {
      if (rep->after.stop_order.empty())
        spdlog::info("[reconcile] {} stop placed at {} x {}", who(self), stop_label(self, *rep->stop),
                     rep->after.position.remaining_size.str());
      else
        spdlog::warn("[reconcile] {} stop restored at {} x {}{}", who(self), stop_label(self, *rep->stop),
                     rep->after.position.remaining_size.str(), cancel_error.empty() ? "" : "; old stop: " + cancel_error);
      rep->after.stop_order = r.state.ref;
      rep->after.position.current_stop = *rep->stop;
    }
    repair_take_profit(self, rep);
  });
}

}  // namespace

// Compares the exchange's slot with the record (skipped while a flight runs, and for a snapshot
// asked for before the last flight ended: it would undo that flight). An outside size change is
// adopted; a stop that is missing, at a level the done stages have moved past, or for another size
// is replaced; so is the take-profit; a stop or take-profit the node placed that is no longer the
// current one, and a stop looser than the current one, are cancelled.
void check_slot(self_ptr self, const SlotSnapshot& snap) {
  auto& st = self->state;
  if (st.in_flight || st.draining) return;
  if (snap.taken_ns <= st.changed_ns) {
    spdlog::debug("[reconcile] {}: snapshot older than the last change; next time", who(self));
    return;
  }
  const core::Position& p = st.rec.position;
  bool resized = false;
  if (snap.size != p.remaining_size) {
    spdlog::warn("[reconcile] {} size changed outside the node: {} -> {}; adopting the exchange's size", who(self),
                 p.remaining_size.str(), snap.size.str());
    st.rec.position.remaining_size = snap.size;
    resized = true;
    publish_band(self);
  }
  const auto& settings = *st.deps.settings;
  auto rep = std::make_shared<Repair>();
  rep->after = st.rec;
  if (snap.size.is_positive() && !settings.observe) {
    const core::Qty size = snap.size;
    const core::Price want = core::owed_stop(p, st.book.executed(), st.last_mark, st.filters, settings.plan);
    rep->old_stop = find_order(snap.orders, st.rec.stop_order, core::OrderKind::stop);
    if (!rep->old_stop && st.rec.stop_order.empty()) {
      rep->stop = want;  // adopted without one: the default stop ("stop placed at ..." says so)
    } else if (!rep->old_stop) {
      // A stop the node placed whose record was lost (storage failed before a crash) may be there,
      // as tight as the record calls for or tighter (a trailing move): that one is the stop.
      std::optional<core::OrderState> found;
      for (const auto& o : snap.orders)
        if (o.kind == core::OrderKind::stop && core::placed_for(p.key, o.ref.client_id) &&
            (o.qty == size || o.qty.is_zero()) && !core::tighter_stop(p.side(), want, o.trigger_price) &&
            (!found || core::tighter_stop(p.side(), o.trigger_price, found->trigger_price)))
          found = o;
      if (found) {
        spdlog::warn("[reconcile] {} the record's stop {} is gone; the node's stop {} at {} is on the exchange: "
                     "keeping it",
                     who(self), st.rec.stop_order.str(), found->ref.str(), found->trigger_price.str());
        rep->old_stop = found;
        rep->after.stop_order = found->ref;
        rep->after.position.current_stop = found->trigger_price;
        rep->record_changed = true;
      } else {
        spdlog::critical("[reconcile] {} has no stop on the exchange (the record's {} is gone): placing {} now",
                         who(self), st.rec.stop_order.str(), want.str());
        rep->stop = want;
      }
    } else if (rep->old_stop->trigger_price != want ||
               !(rep->old_stop->qty == size || rep->old_stop->qty.is_zero())) {  // zero: closePosition, all of it
      spdlog::warn("[reconcile] {} stop on the exchange is {} x {}; the record calls for {} x {}: replacing it",
                   who(self), rep->old_stop->trigger_price.str(), rep->old_stop->qty.str(), want.str(), size.str());
      rep->stop = want;
    }
    if (auto tp = core::extreme_take_profit(p, settings.plan, st.filters)) {
      // The user's own take-profit, adopted with the position, is theirs to size and price.
      rep->old_take_profit = find_order(snap.orders, st.rec.tp_order, core::OrderKind::take_profit);
      const bool users = rep->old_take_profit && !core::placed_for(p.key, rep->old_take_profit->ref.client_id);
      if (!rep->old_take_profit || (!users && (rep->old_take_profit->trigger_price != *tp || rep->old_take_profit->qty != size)))
        rep->take_profit = tp;
    }
    for (const auto& o : snap.orders) {
      const bool current = (rep->old_stop && same_order(o.ref, rep->old_stop->ref)) ||
                           (rep->old_take_profit && same_order(o.ref, rep->old_take_profit->ref));
      if (current) continue;
      const bool ours = core::placed_for(p.key, o.ref.client_id);
      const bool looser_stop = o.kind == core::OrderKind::stop && !core::tighter_stop(p.side(), o.trigger_price, want);
      if (ours || looser_stop) rep->leftovers.push_back(o);
    }
  }
  if (!rep->stop && !rep->take_profit && rep->leftovers.empty()) {
    if (resized || rep->record_changed) {
      st.rec = rep->after;
      self->request(st.deps.persistence, caf::infinite, save_atom_v, st.rec)
          .then([](bool) {}, [=](caf::error& e) { spdlog::error("[reconcile] {} record not saved: {}", who(self), describe(e)); });
    }
    return;
  }
  st.in_flight = true;
  repair_stop(self, rep);
}

}  // namespace ptp::actors::position_parts
