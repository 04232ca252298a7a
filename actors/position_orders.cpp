// Carries an order's conversation with the exchange (core/order_call.hpp) to the exchange actor,
// command by command, and writes the notes it makes to the log. Trailing moves and reconcile
// repairs use it; a stage's orders go through its StageRun.
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"

namespace ptp::actors::position_parts {

// The exchange actor itself did not answer: nothing is known to have been sent.
OrderReply unavailable(const caf::error& e) {
  OrderReply rep;
  rep.error = core::Reason::unavailable;
  rep.message = describe(e);
  return rep;
}

void log_notes(self_ptr self, const std::vector<core::Note>& notes) {
  for (const auto& n : notes) {
    const auto level = n.level == core::Note::Level::info    ? spdlog::level::info
                       : n.level == core::Note::Level::warn  ? spdlog::level::warn
                       : n.level == core::Note::Level::error ? spdlog::level::err
                                                             : spdlog::level::critical;
    spdlog::log(level, "[{}] {} {}", n.tag, who(self), n.text);
  }
}

void ask_exchange(self_ptr self, const OrderRequest& command, std::function<void(const OrderReply&)> k) {
  self->request(self->state.deps.exchange, caf::infinite, order_atom_v, command)
      .then([=](OrderReply rep) { k(rep); }, [=](caf::error& e) { k(unavailable(e)); });
}

namespace {

// Feeds a conversation (OrderCall or ReplaceCall) the exchange's answers until it is over.
template <class Call, class K>
void converse(self_ptr self, std::shared_ptr<Call> call, K k) {
  ask_exchange(self, call->next(), [=](const OrderReply& rep) {
    std::vector<core::Note> notes;
    const bool over = call->answer(rep, notes);
    log_notes(self, notes);
    if (over) k(*call);
    else converse(self, call, k);
  });
}

}  // namespace

void send_order(self_ptr self, OrderRequest req, std::function<void(OrderReply)> k) {
  converse(self, std::make_shared<core::OrderCall>(core::OrderCall::send(std::move(req))),
           [k](const core::OrderCall& call) { k(call.result()); });
}

void replace_order(self_ptr self, OrderRequest order, core::OrderRef old, bool resumed,
                   std::function<void(const OrderReply& placed, const std::string& cancel_error)> k) {
  converse(self, std::make_shared<core::ReplaceCall>(std::move(order), std::move(old), resumed),
           [k](const core::ReplaceCall& call) { k(call.placed(), call.cancel_error()); });
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
