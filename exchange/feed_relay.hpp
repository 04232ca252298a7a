// A venue's feeds that outlive the node listening to them. A cluster standby starts its venue's
// feeds once, into a relay, and keeps them connected (warm: filters and clock offset known, streams
// subscribed, their health visible) while it sends nothing. When it becomes owner its node attaches
// and gets the very next tick; when it steps down the node detaches and the streams stay up.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "core/tick.hpp"
#include "exchange/venue.hpp"

namespace ptp::exchange {

class FeedRelay {
 public:
  // What to give Venue::start_feeds (once, for the relay's lifetime).
  VenueSinks sinks();

  // From now on every tick and account change goes to `node` too.
  void attach(VenueSinks node);
  // Returns once no call into the attached sinks is in progress: after it, their targets may go.
  void detach();
  bool attached() const;

  struct Stats {
    std::uint64_t ticks = 0;         // received since the relay started, attached or not
    std::int64_t last_tick_ns = 0;   // steady clock; 0 before the first tick
    std::uint64_t ignored_account_changes = 0;  // while detached: nobody acts on them (the owner does)
  };
  Stats stats() const;
  // The last price the feed gave for `symbol` (none before its first tick).
  std::optional<core::Price> last_price(const core::Symbol& symbol) const;

 private:
  void on_tick(const core::PriceTick& tick);
  void on_account_changed();

  mutable std::mutex mu_;  // held while a sink runs: detach() waits for it
  VenueSinks node_;
  Stats stats_;
  std::vector<std::pair<core::Symbol, core::Price>> last_;  // a node watches a handful of symbols
};

}  // namespace ptp::exchange
