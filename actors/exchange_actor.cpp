// The exchange actor: the only door to the exchange. It runs on its own thread because real
// exchange calls block on the network; failures come back as values (OrderReply) or errors.
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/guarded.hpp"
#include "actors/latency_trace.hpp"
#include "actors/spawn.hpp"
#include "exchange/exchange.hpp"
#include "exchange/hmac.hpp"

namespace ptp::actors {
namespace {

using Op = OrderRequest::Op;

struct exchange_state {
  std::shared_ptr<exchange::Exchange> ex;
  static inline const char* name = "exchange";
};

OrderReply call(exchange::Exchange& ex, const OrderRequest& r) {
  OrderReply out;
  try {
    switch (r.op) {
      case Op::close:
        trace::mark(trace::Point::order_call, r.symbol);
        out.state = ex.close_market(r.symbol, r.side, r.qty, r.client_id);
        break;
      case Op::stop:
        out.state = ex.place_conditional(core::OrderKind::stop, r.symbol, r.side, r.trigger, r.qty, r.client_id);
        break;
      case Op::take_profit:
        out.state = ex.place_conditional(core::OrderKind::take_profit, r.symbol, r.side, r.trigger, r.qty, r.client_id);
        break;
      case Op::cancel: ex.cancel(r.symbol, r.ref); break;
      case Op::query: {
        auto st = ex.query(r.lookup());
        out.found = st.has_value();
        if (st) out.state = *st;
        break;
      }
    }
    out.ok = true;
  } catch (const exchange::ExchangeError& e) {
    out.error = exchange::reason_of(e.kind());
    out.code = e.code();
    out.message = e.what();
    out.position_smaller = e.position_smaller();
  } catch (const std::exception& e) {
    out.error = core::Reason::unavailable;
    out.message = e.what();
  }
  return out;
}

void log_failure(const char* what, const std::exception& e) { spdlog::error("[exchange] {} failed: {}", what, e.what()); }

exchange_actor::behavior_type exchange_behavior(exchange_actor::stateful_pointer<exchange_state> self,
                                                std::shared_ptr<exchange::Exchange> ex) {
  self->state.ex = std::move(ex);
  // CAF counts a detached actor's thread as done before the thread has ended, so the node may exit
  // while it still holds OpenSSL's state; it is released here, on that thread, as the actor ends.
  self->attach_functor([] { exchange::release_thread_crypto_state(); });
  return {
      [=](snapshot_atom) {
        return guarded("positions", [&] {
          auto& e = *self->state.ex;
          return ExchangeSnapshot{e.open_positions(), e.open_orders()};
        }, log_failure);
      },
      [=](mark_atom, const core::Symbol& s) {
        return guarded("mark price", [&] { return self->state.ex->mark_price(s); }, log_failure);
      },
      [=](filters_atom, const core::Symbol& s) {
        return guarded("filters", [&] { return self->state.ex->filters(s); }, log_failure);
      },
      [=](order_atom, const OrderRequest& r) { return call(*self->state.ex, r); },
  };
}

}  // namespace

exchange_actor spawn_exchange(caf::actor_system& sys, std::shared_ptr<exchange::Exchange> ex) {
  return sys.spawn<caf::detached>(exchange_behavior, std::move(ex));
}

}  // namespace ptp::actors
