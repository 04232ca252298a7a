// The market-data actor: fans each price tick out to the position actors of its symbol and keeps
// the last price per symbol (the health check reads its age to decide whether to ask REST).
#include <caf/all.hpp>

#include <chrono>
#include <map>
#include <vector>

#include "actors/spawn.hpp"

namespace ptp::actors {
namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct market_data_state {
  std::map<core::Symbol, std::vector<position_actor>> subscribers;
  std::map<core::Symbol, LastPrice> last;
  metrics_actor metrics;
  std::int64_t unreported_ticks = 0;
  std::int64_t last_report_ns = 0;
  static inline const char* name = "market-data";
};

market_data_actor::behavior_type market_data(market_data_actor::stateful_pointer<market_data_state> self,
                                             metrics_actor metrics) {
  self->state.metrics = std::move(metrics);
  return {
      [=](tick_atom, core::PriceTick tick) {
        auto& st = self->state;
        if (tick.received_ns == 0) tick.received_ns = steady_ns();
        st.last[tick.symbol] = LastPrice{true, tick.price, tick.received_ns};
        if (auto it = st.subscribers.find(tick.symbol); it != st.subscribers.end())
          for (const auto& p : it->second) self->send(p, tick_atom_v, tick);
        // Tick counts go to metrics in batches: one message per tick would double the hops.
        ++st.unreported_ticks;
        if (tick.received_ns - st.last_report_ns > 200'000'000) {
          self->send(st.metrics, tick_atom_v, st.unreported_ticks);
          st.unreported_ticks = 0;
          st.last_report_ns = tick.received_ns;
        }
      },
      [=](subscribe_atom, const core::Symbol& s, position_actor p) {
        auto& subs = self->state.subscribers[s];
        for (const auto& existing : subs)
          if (existing == p) return;
        subs.push_back(std::move(p));
      },
      [=](unsub_atom, const core::Symbol& s, const position_actor& p) {
        auto& subs = self->state.subscribers[s];
        subs.erase(std::remove(subs.begin(), subs.end(), p), subs.end());
      },
      [=](last_atom, const core::Symbol& s) {
        auto it = self->state.last.find(s);
        return it == self->state.last.end() ? LastPrice{} : it->second;
      },
  };
}

}  // namespace

market_data_actor spawn_market_data(caf::actor_system& sys, metrics_actor metrics) {
  return sys.spawn(market_data, std::move(metrics));
}

}  // namespace ptp::actors
