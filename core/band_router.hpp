// Routes price ticks to the positions that can act on them: per symbol, each subscriber's quiet
// band, plus the intersection of all bands so a tick inside it costs one comparison pair. A
// subscriber that was sent a tick and has not answered (with its new band) gets only the latest
// tick when it does: a busy position sees the newest price, not a backlog.
//
// No CAF, no I/O: the market-data actor uses it with actor handles, the benchmark with integers.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/quiet_band.hpp"
#include "core/tick.hpp"

namespace ptp::core {

template <class Target>
class BandRouter {
 public:
  void subscribe(const Symbol& symbol, Target target) {
    Feed& feed = feeds_[symbol];
    for (const auto& s : feed.subs)
      if (s.target == target) return;
    feed.subs.push_back(Sub{std::move(target), QuietBand::everything_crosses(), false, std::nullopt});
    feed.recompute();
  }

  void unsubscribe(const Symbol& symbol, const Target& target) {
    Feed& feed = feeds_[symbol];
    feed.subs.erase(std::remove_if(feed.subs.begin(), feed.subs.end(), [&](const Sub& s) { return s.target == target; }),
                    feed.subs.end());
    feed.recompute();
  }

  // Calls emit(target, tick) for every subscriber the tick must reach now.
  template <class Emit>
  void route(const PriceTick& tick, Emit&& emit) {
    auto it = feeds_.find(tick.symbol);
    if (it == feeds_.end() || it->second.all.contains(tick.price)) return;
    for (auto& sub : it->second.subs) {
      if (sub.band.contains(tick.price)) continue;
      if (sub.awaiting) {
        sub.latest = tick;
        continue;
      }
      sub.awaiting = true;
      emit(sub.target, tick);
    }
  }

  // The band inside which no subscriber of `symbol` cares (what a TickGate publishes).
  QuietBand quiet(const Symbol& symbol) const {
    auto it = feeds_.find(symbol);
    return it == feeds_.end() ? QuietBand::never() : it->second.all;
  }

  // A subscriber's new band; it also answers the last tick it was sent. A conflated tick that
  // leaves the new band is emitted now.
  template <class Emit>
  void set_band(const Symbol& symbol, const Target& target, QuietBand band, Emit&& emit) {
    Feed& feed = feeds_[symbol];
    for (auto& sub : feed.subs) {
      if (sub.target != target) continue;
      sub.band = band;
      sub.awaiting = false;
      if (auto latest = std::exchange(sub.latest, std::nullopt); latest && !band.contains(latest->price)) {
        sub.awaiting = true;
        emit(sub.target, *latest);
      }
    }
    feed.recompute();
  }

 private:
  struct Sub {
    Target target;
    QuietBand band;
    bool awaiting;
    std::optional<PriceTick> latest;
  };
  struct Feed {
    std::vector<Sub> subs;
    QuietBand all = QuietBand::never();  // inside it, no subscriber cares
    void recompute() {
      all = QuietBand::never();
      for (const auto& s : subs) {
        all.lower = std::max(all.lower, s.band.lower);
        all.upper = std::min(all.upper, s.band.upper);
      }
    }
  };
  std::map<Symbol, Feed> feeds_;
};

}  // namespace ptp::core
