// The health-check and agent sweeps: every position actor asked to execute what is due, each at a
// fresh price (the stream's last one, or a REST mark when the stream is stale), at most
// kSweepWidth at once.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/registry_parts.hpp"

namespace ptp::actors::registry_parts {

// Calls `k` with a fresh price for `symbol`: the stream's last price, or a REST mark when the stream
// is older than stream_stale_after (or has not started). `fail` gets the reason when neither exists.
void with_fresh_price(self_ptr self, const core::Symbol& symbol, std::function<void(core::Price, bool rest)> k,
                      std::function<void(core::Outcome)> fail) {
  const auto stale_ns = std::chrono::nanoseconds(self->state.deps.settings->stream_stale_after).count();
  self->request(self->state.market_data, caf::infinite, last_atom_v, symbol)
      .then([=](LastPrice last) {
        if (last.known && core::steady_now_ns() - last.received_ns < stale_ns) {
          k(last.price, false);
          return;
        }
        self->request(self->state.deps.exchange, caf::infinite, mark_atom_v, symbol)
            .then([=](core::Price p) { k(p, true); }, [=](caf::error& e) { fail(core::Outcome{core::OutcomeKind::failed, core::Reason::no_price, {}, describe(e)}); });
      });
}

caf::typed_response_promise<SweepReport> sweep(self_ptr self, core::Caller caller) {
  // At most kSweepWidth positions are asked at once (CAF 0.17 searches outstanding
  // responses linearly); each at a fresh price.
  constexpr std::size_t kSweepWidth = 64;
  struct Fan {
    caf::typed_response_promise<SweepReport> promise;
    SweepReport report;
    std::vector<std::pair<core::PositionKey, position_actor>> targets;
    std::size_t next = 0;
    std::size_t in_flight = 0;
    std::function<void()> launch;
  };
  auto fan = std::make_shared<Fan>();
  fan->promise = self->make_response_promise<SweepReport>();
  fan->report.caller = caller;
  fan->targets.assign(self->state.actors.begin(), self->state.actors.end());
  // The fan stores `launch`, so `launch` holds it weakly; the requests in flight hold it strongly.
  std::weak_ptr<Fan> weak = fan;
  auto add = [](const std::shared_ptr<Fan>& f, ExecuteReply r) {
    f->report.replies.push_back(std::move(r));
    --f->in_flight;
    f->launch();
  };
  fan->launch = [=] {
    auto f = weak.lock();
    if (!f) return;
    while (f->in_flight < kSweepWidth && f->next < f->targets.size()) {
      auto [key, actor] = f->targets[f->next++];
      ++f->in_flight;
      auto ask = [=](core::Price price) {
        ask_position<ExecuteReply>(
            self, actor, [=](ExecuteReply r) { add(f, std::move(r)); },
            [=](caf::error e) {
              add(f, ExecuteReply{key, caller, core::Outcome{core::OutcomeKind::failed, core::Reason::actor, {}, describe(e)}, {}, {}});
            },
            execute_atom_v, ExecuteRequest{caller, std::nullopt, price});
      };
      with_fresh_price(
          self, key.symbol,
          [=](core::Price price, bool rest) {
            if (rest) ++f->report.rest_prices;
            ask(price);
          },
          [=](core::Outcome why) { add(f, ExecuteReply{key, caller, why, {}, {}}); });
    }
    if (f->in_flight == 0 && f->next == f->targets.size()) {
      f->promise.deliver(f->report);
    }
  };
  auto promise = fan->promise;
  fan->launch();
  return promise;
}

}  // namespace ptp::actors::registry_parts
