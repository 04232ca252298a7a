// One order at a time for a position actor: a timeout or a duplicate client id is an unknown
// outcome, resolved by asking the exchange for the client id before anything else happens.
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"

namespace ptp::actors::position_parts {

// The exchange actor itself did not answer: nothing is known to have been sent.
OrderReply unavailable(const caf::error& e) {
  OrderReply rep;
  rep.error = exchange::ExchangeError::Kind::unavailable;
  rep.message = describe(e);
  return rep;
}

// Sends one order; a timeout or a duplicate client id is an unknown outcome, resolved by asking
// the exchange for the client id before anything else happens.
void send_order(self_ptr self, OrderRequest req, std::function<void(OrderReply)> k) {
  auto exchange = self->state.deps.exchange;
  self->request(exchange, caf::infinite, order_atom_v, req)
      .then(
          [=](OrderReply rep) {
            using Kind = exchange::ExchangeError::Kind;
            if (rep.ok || !rep.error || (*rep.error != Kind::timeout && *rep.error != Kind::duplicate_client_id)) {
              k(rep);
              return;
            }
            OrderRequest q{Op::query, req.symbol, req.side, {}, {}, req.client_id, {}};
            self->request(exchange, caf::infinite, order_atom_v, q)
                .then(
                    [=](OrderReply found) {
                      if (found.ok && found.found) {
                        spdlog::warn("[exchange] {} order {} had an unknown outcome ({}); the exchange has it: {}",
                                     who(self), req.client_id, rep.reason(), core::to_string(found.state.status));
                        k(found);
                      } else {
                        k(rep);  // not placed: a retry reuses the same client id
                      }
                    },
                    [=](caf::error&) { k(rep); });
          },
          [=](caf::error& e) { k(unavailable(e)); });
}

// Sends `req` only if the exchange does not already have its client id (recovery: a crashed run
// may have sent it; a filled order's id can be reused on Binance, so a duplicate error is no
// guarantee). A failed lookup sends nothing: the outcome stays unknown.
void place_once(self_ptr self, OrderRequest req, std::function<void(OrderReply)> k) {
  OrderRequest q{Op::query, req.symbol, req.side, {}, {}, req.client_id, {}};
  self->request(self->state.deps.exchange, caf::infinite, order_atom_v, q)
      .then(
          [=](OrderReply found) {
            if (!found.ok) {
              k(found);
            } else if (found.found && found.state.status != core::OrderStatus::rejected) {
              spdlog::warn("[recovery] {} order {} was sent before the restart: {}", who(self), req.client_id,
                           core::to_string(found.state.status));
              k(found);
            } else {
              send_order(self, req, k);
            }
          },
          [=](caf::error& e) { k(unavailable(e)); });
}

// Places `order` (looked up first when `resumed`), then cancels `old` (if any): the replacement is
// on the exchange before the old order goes, so the position is never without it. `k` gets the
// placement's reply and, when the old order could not be cancelled, why.
void replace_order(self_ptr self, OrderRequest order, core::OrderRef old, bool resumed,
                   std::function<void(const OrderReply& placed, const std::string& cancel_error)> k) {
  auto place = resumed ? place_once : send_order;
  place(self, order, [=](OrderReply placed) {
    if (!placed.ok || old.empty()) {
      k(placed, {});
      return;
    }
    send_order(self, OrderRequest{Op::cancel, order.symbol, order.side, {}, {}, {}, old},
               [=](OrderReply c) { k(placed, c.ok ? std::string() : c.reason()); });
  });
}

// Numbers the next repeated order of the position (a trailing move, a repair) and saves the number
// before the order goes out, as a stage's intent is saved before its close: no number, so no client
// id, is ever handed out twice, restarts included. Storage that refuses it sends nothing (`k` gets
// nullopt) and the number is handed out again next time.
void reserve_order_seq(self_ptr self, std::function<void(std::optional<std::uint32_t>)> k) {
  auto& st = self->state;
  storage::PositionRecord reserved = st.rec;
  reserved.order_seq += 1;
  self->request(st.deps.persistence, caf::infinite, save_atom_v, reserved)
      .then(
          [=](bool) {
            self->state.rec.order_seq = std::max(self->state.rec.order_seq, reserved.order_seq);
            k(reserved.order_seq);
          },
          [=](caf::error& e) {
            spdlog::error("[exchange] {}: the next order number could not be saved ({}); nothing sent", who(self),
                          describe(e));
            k(std::nullopt);
          });
}

}  // namespace ptp::actors::position_parts
