// The market-data actor: fans each price tick out to the position actors of its symbol and keeps
// the last price per symbol (the health check reads its age to decide whether to ask REST). Ticks
// from websocket threads have passed the tick gate first (core/tick_gate.hpp): those inside every
// band never get here, so the gate holds their symbol's last price, and each band change is
// published to it.
#include <caf/all.hpp>

#include <chrono>
#include <map>
#include <vector>

#include "actors/spawn.hpp"
#include "core/band_router.hpp"
#include "core/tick_gate.hpp"

namespace ptp::actors {
namespace {

struct market_data_state {
  core::BandRouter<position_actor> router;
  std::map<core::Symbol, LastPrice> last;
  metrics_actor metrics;
  std::shared_ptr<core::TickGate> gate;
  std::int64_t unreported_ticks = 0;
  core::LatencyHistogram routing;  // since the last report
  std::int64_t last_report_ns = 0;
  static inline const char* name = "market-data";
};

void report(market_data_actor::stateful_pointer<market_data_state> self) {
  auto& st = self->state;
  self->send(st.metrics, tick_atom_v, st.unreported_ticks, st.routing);
  st.unreported_ticks = 0;
  st.routing = core::LatencyHistogram{};
  st.last_report_ns = core::steady_now_ns();
}

market_data_actor::behavior_type market_data(market_data_actor::stateful_pointer<market_data_state> self,
                                             metrics_actor metrics, std::shared_ptr<core::TickGate> gate) {
  self->state.metrics = std::move(metrics);
  self->state.gate = std::move(gate);
  auto publish = [self](const core::Symbol& s) { self->state.gate->publish(s, self->state.router.quiet(s)); };
  // After a change its sender held the gate open for (core::TickGate::hold).
  auto publish_held = [self, publish](const core::Symbol& s) {
    publish(s);
    self->state.gate->release(s);
  };
  return {
      [=](tick_atom, core::PriceTick tick) {
        auto& st = self->state;
        if (tick.received_ns == 0) tick.received_ns = core::steady_now_ns();
        st.last[tick.symbol] = LastPrice{true, tick.price, tick.received_ns};
        st.router.route(tick, [&](const position_actor& p, const core::PriceTick& t) { self->send(p, tick_atom_v, t); });
        const std::int64_t now = core::steady_now_ns();
        st.routing.record(now - tick.received_ns);
        // Tick counts go to metrics in batches: one message per tick would double the hops.
        ++st.unreported_ticks;
        if (now - st.last_report_ns > 200'000'000) report(self);
      },
      [=](subscribe_atom, const core::Symbol& s, position_actor p) {
        self->state.router.subscribe(s, std::move(p));
        publish_held(s);
      },
      [=](band_atom, const core::Symbol& s, const position_actor& p, core::Price lower, core::Price upper) {
        self->state.router.set_band(s, p, core::QuietBand{lower, upper},
                                    [&](const position_actor& target, const core::PriceTick& t) {
                                      self->send(target, tick_atom_v, t);
                                    });
        publish_held(s);
      },
      [=](unsub_atom, const core::Symbol& s, const position_actor& p) {
        self->state.router.unsubscribe(s, p);
        publish(s);
      },
      [=](flush_atom) {
        report(self);
        return true;
      },
      [=](last_atom, const core::Symbol& s) {
        // the newer of what reached this actor and what the gate saw (the simulator's feed comes here directly)
        auto it = self->state.last.find(s);
        LastPrice here = it == self->state.last.end() ? LastPrice{} : it->second;
        const auto gated = self->state.gate->last(s);
        if (gated.known && gated.received_ns > here.received_ns) here = LastPrice{true, gated.price, gated.received_ns};
        return here;
      },
  };
}

}  // namespace

market_data_actor spawn_market_data(caf::actor_system& sys, metrics_actor metrics, std::shared_ptr<core::TickGate> gate) {
  return sys.spawn(market_data, std::move(metrics), std::move(gate));
}

}  // namespace ptp::actors
