// The exchange actor: the only door to the exchange. It runs on its own thread because real
// exchange calls block on the network; failures come back as values (OrderReply) or errors. Every
// order placement passes the account's order budget (core/order_budget.hpp): past it, placements
// wait their turn, in order, and the wait is logged and counted. In a cluster every order request
// (close, stop, take-profit, cancel) passes the owner's fence right before it leaves (send_order):
// a node that does not own the account, or whose lease deadline has passed, sends nothing.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <utility>

#include "actors/guarded.hpp"
#include "actors/latency_trace.hpp"
#include "actors/spawn.hpp"
#include "exchange/exchange.hpp"
#include "exchange/failure_log.hpp"
#include "exchange/hmac.hpp"
#include "exchange/order_fence.hpp"

namespace ptp::actors {
namespace {

using Op = OrderRequest::Op;

// A placement waiting for the order budget, answered when it has been sent.
struct Waiting {
  OrderRequest request;
  caf::typed_response_promise<OrderReply> promise;
  core::OrderBudget::Clock::time_point since;
};

struct exchange_state {
  std::shared_ptr<exchange::Exchange> ex;
  core::OrderBudget budget;
  std::deque<Waiting> waiting;  // oldest first
  bool wake_scheduled = false;
  int budget_pct = 0;  // for the log line: the share of the exchange's limits (0: a budget of its own)
  metrics_actor metrics;
  std::shared_ptr<exchange::OrderFence> fence;  // a cluster's ownership (none: a single node)
  static inline const char* name = "exchange";
};

using self_ptr = exchange_actor::stateful_pointer<exchange_state>;

// Cancels and queries are not placements: Binance counts only new orders against the order
// limits, Gate.io limits cancellations apart (at twice the rate). They never wait.
bool is_placement(Op op) { return op == Op::close || op == Op::stop || op == Op::take_profit; }

OrderReply call(exchange::Exchange& ex, const OrderRequest& r) {
  if (r.op == Op::close) trace::mark(trace::Point::order_call, r.symbol);
  return exchange::send_order(ex, r);
}

const char* op_name(Op op) {
  switch (op) {
    case Op::close: return "close";
    case Op::stop: return "stop";
    case Op::take_profit: return "take-profit";
    case Op::cancel: return "cancel";
    case Op::query: return "query";
  }
  return "order";
}

// The one place an order request leaves the node. A query changes nothing and always goes; any other
// request goes only while the fence (a cluster's ownership) allows it, checked at this moment.
OrderReply send_order(exchange_state& st, const OrderRequest& r) {
  if (st.fence && r.op != Op::query && !st.fence->may_send()) {
    OrderReply out;
    out.error = core::Reason::not_owner;
    out.message = "not sent: " + st.fence->why_not();
    log_repeated(spdlog::level::warn, "[exchange] {} {} not sent: {}", op_name(r.op), r.symbol.canonical(),
                 st.fence->why_not());
    return out;
  }
  return call(*st.ex, r);
}

void log_failure(const char* what, const std::exception& e) {
  log_repeated(spdlog::level::err, "[exchange] {} failed: {}", what, e.what());
}

void wake_later(self_ptr self, core::OrderBudget::Clock::duration wait) {
  if (std::exchange(self->state.wake_scheduled, true)) return;
  self->delayed_send(self, std::chrono::duration_cast<std::chrono::microseconds>(wait) + std::chrono::microseconds(1),
                     budget_atom_v);
}

// Sends the waiting placements the budget allows now, oldest first.
void send_waiting(self_ptr self) {
  auto& st = self->state;
  st.wake_scheduled = false;
  while (!st.waiting.empty()) {
    const auto now = core::OrderBudget::Clock::now();
    if (const auto wait = st.budget.wait(now); wait > core::OrderBudget::Clock::duration::zero()) {
      wake_later(self, wait);
      return;
    }
    Waiting w = std::move(st.waiting.front());
    st.waiting.pop_front();
    st.budget.spend(now);
    self->send(st.metrics, budget_atom_v, std::chrono::duration_cast<std::chrono::nanoseconds>(now - w.since).count());
    w.promise.deliver(send_order(st, w.request));
  }
}

caf::result<OrderReply> place_within_budget(self_ptr self, const OrderRequest& r) {
  auto& st = self->state;
  const auto now = core::OrderBudget::Clock::now();
  const auto wait = st.budget.wait(now);
  if (st.waiting.empty() && wait == core::OrderBudget::Clock::duration::zero()) {
    st.budget.spend(now);
    return send_order(st, r);
  }
  if (const auto* full = st.budget.full_window(now))
    log_repeated(spdlog::level::warn,
                 "[exchange] order budget reached ({}{}): {} {} waits {} ms, {} order(s) waiting", full->str(),
                 self->state.budget_pct > 0 ? fmt::format(", {}% of the exchange's limit", self->state.budget_pct) : "", op_name(r.op), r.symbol.canonical(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(), st.waiting.size() + 1);
  auto promise = self->make_response_promise<OrderReply>();
  // A stage's close goes before waiting stop and take-profit moves: the price that made it due may
  // not last. Each position sends its orders one after the other, so no position's order changes.
  auto at = r.op == Op::close ? std::find_if(st.waiting.begin(), st.waiting.end(),
                                             [](const Waiting& w) { return w.request.op != Op::close; })
                              : st.waiting.end();
  st.waiting.insert(at, Waiting{r, promise, now});
  wake_later(self, wait);
  return promise;
}

exchange_actor::behavior_type exchange_behavior(self_ptr self, std::shared_ptr<exchange::Exchange> ex,
                                                std::vector<core::RateWindow> budget, int budget_pct,
                                                metrics_actor metrics, std::shared_ptr<exchange::OrderFence> fence) {
  self->state.ex = std::move(ex);
  self->state.fence = std::move(fence);
  self->state.budget = core::OrderBudget(std::move(budget));
  self->state.budget_pct = budget_pct;
  self->state.metrics = std::move(metrics);
  // CAF counts a detached actor's thread as done before the thread has ended, so the node may exit
  // while it still holds OpenSSL's state; it is released here, on that thread, as the actor ends.
  self->attach_functor([] { exchange::release_thread_crypto_state(); });
  // Stopping with placements still waiting for the budget: each is answered, none was sent (CAF 0.17
  // would drop the promises without a word, and their stages would wait forever).
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    auto& waiting = self->state.waiting;
    if (!waiting.empty())
      spdlog::warn("[exchange] stopping: {} order(s) waiting for the order budget were not sent", waiting.size());
    for (auto& w : waiting) {
      OrderReply rep;
      rep.error = core::Reason::shutting_down;
      rep.message = "the order was not sent: it was waiting for the order budget";
      w.promise.deliver(rep);
    }
    waiting.clear();
    self->quit(msg.reason);
  });
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
      // All the symbols a start-up needs in one message: the venues answer from one cached
      // exchange-info read, and a symbol that fails leaves the others alone.
      [=](filters_atom, const std::vector<core::Symbol>& symbols) {
        std::vector<SymbolFilters> out;
        out.reserve(symbols.size());
        for (const auto& s : symbols) {
          SymbolFilters& f = out.emplace_back(SymbolFilters{s, std::nullopt, {}});
          try {
            f.filters = self->state.ex->filters(s);
          } catch (const std::exception& e) {
            log_failure("filters", e);
            f.error = std::string("filters: ") + e.what();
          }
        }
        return out;
      },
      [=](order_atom, const OrderRequest& r) -> caf::result<OrderReply> {
        if (!is_placement(r.op)) return send_order(self->state, r);
        return place_within_budget(self, r);
      },
      [=](budget_atom) { send_waiting(self); },
  };
}

}  // namespace

exchange_actor spawn_exchange(caf::actor_system& sys, std::shared_ptr<exchange::Exchange> ex,
                              std::vector<core::RateWindow> budget, int budget_pct, metrics_actor metrics,
                              std::shared_ptr<exchange::OrderFence> fence) {
  return sys.spawn<caf::detached>(exchange_behavior, std::move(ex), std::move(budget), budget_pct, std::move(metrics),
                                  std::move(fence));
}

}  // namespace ptp::actors
