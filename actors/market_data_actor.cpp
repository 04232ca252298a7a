// The market-data actor: fans each price tick out to the position actors of its symbol and keeps
// the last price per symbol (the health check reads its age to decide whether to ask REST).
#include <caf/all.hpp>

#include <chrono>
#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "actors/spawn.hpp"
#include "core/quiet_band.hpp"

namespace ptp::actors {
namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One position listening to a symbol.
struct Subscriber {
  position_actor actor;
  core::QuietBand band = core::QuietBand::everything_crosses();  // until the position reports its band
  bool awaiting = false;                   // sent a tick it has not answered with a band yet
  std::optional<core::PriceTick> latest;   // conflated: the newest tick that left the band meanwhile
};

struct SymbolFeed {
  std::vector<Subscriber> subs;
  core::QuietBand all = core::QuietBand::never();  // the intersection: inside it, no subscriber cares

  void recompute() {
    all = core::QuietBand::never();
    for (const auto& s : subs) {
      all.lower = std::max(all.lower, s.band.lower);
      all.upper = std::min(all.upper, s.band.upper);
    }
  }
};

struct market_data_state {
  std::map<core::Symbol, SymbolFeed> feeds;
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
        if (auto it = st.feeds.find(tick.symbol); it != st.feeds.end() && !it->second.all.contains(tick.price)) {
          for (auto& sub : it->second.subs) {
            if (sub.band.contains(tick.price)) continue;
            if (sub.awaiting) {
              sub.latest = tick;
              continue;
            }
            sub.awaiting = true;
            self->send(sub.actor, tick_atom_v, tick);
          }
        }
        // Tick counts go to metrics in batches: one message per tick would double the hops.
        ++st.unreported_ticks;
        if (tick.received_ns - st.last_report_ns > 200'000'000) {
          self->send(st.metrics, tick_atom_v, st.unreported_ticks);
          st.unreported_ticks = 0;
          st.last_report_ns = tick.received_ns;
        }
      },
      [=](subscribe_atom, const core::Symbol& s, position_actor p) {
        auto& feed = self->state.feeds[s];
        for (const auto& existing : feed.subs)
          if (existing.actor == p) return;
        feed.subs.push_back(Subscriber{std::move(p), core::QuietBand::everything_crosses(), false, std::nullopt});
        feed.recompute();
      },
      [=](band_atom, const core::Symbol& s, const position_actor& p, core::Price lower, core::Price upper) {
        auto& feed = self->state.feeds[s];
        for (auto& sub : feed.subs) {
          if (sub.actor != p) continue;
          sub.band = core::QuietBand{lower, upper};
          sub.awaiting = false;
          if (auto latest = std::exchange(sub.latest, std::nullopt); latest && !sub.band.contains(latest->price)) {
            sub.awaiting = true;
            self->send(sub.actor, tick_atom_v, *latest);
          }
        }
        feed.recompute();
      },
      [=](unsub_atom, const core::Symbol& s, const position_actor& p) {
        auto& feed = self->state.feeds[s];
        feed.subs.erase(std::remove_if(feed.subs.begin(), feed.subs.end(), [&](const Subscriber& x) { return x.actor == p; }),
                        feed.subs.end());
        feed.recompute();
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
