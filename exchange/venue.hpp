// One venue as the node sees it: the REST side (positions, orders, filters, marks), a price feed
// and an account-event feed. make_venue() is the one place that knows which venues exist: adding
// one is a folder under exchange/ and a line there; nothing else branches on the exchange.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/config/config.hpp"
#include "core/tick.hpp"
#include "exchange/exchange.hpp"

namespace ptp::exchange {

class SimExchange;

// Where a venue's feeds deliver (called from the feeds' own threads).
struct VenueSinks {
  std::function<void(const core::PriceTick&)> tick;  // every price the feed receives
  std::function<void()> account_changed;             // the account changed in a way the node did not make
};

class Venue {
 public:
  virtual ~Venue() = default;
  virtual std::shared_ptr<Exchange> exchange() = 0;
  // Starts the price and account feeds. stop_feeds() stops them and releases the sinks: call it
  // before the sinks' targets go away.
  virtual void start_feeds(VenueSinks sinks) = 0;
  virtual void stop_feeds() = 0;
  // The embedded simulator, when this venue is one: the node drives its price path (it has no
  // feed of its own) and the summary replays it.
  virtual std::shared_ptr<SimExchange> simulator() { return nullptr; }
};

// How the venue spells an instrument ("ETHUSDT", "ETH_USDT"; the simulator: the canonical form).
std::string symbol_name(core::Exchange venue, const core::Symbol& symbol);

// The venue node.exchange names, ready to use (a real one reachable, its clock offset known).
// Throws std::runtime_error saying why it cannot start.
std::unique_ptr<Venue> make_venue(const config::Config& cfg);

}  // namespace ptp::exchange
