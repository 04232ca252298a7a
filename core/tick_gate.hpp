// The quiet-band check of the band router, moved onto the thread that receives the tick (a
// websocket I/O thread): a tick inside its symbol's quiet band (no position can act on it) is
// decided there and never becomes an actor message. Only ticks that may reach a position go on to
// the market-data actor, which routes them exactly as before.
//
// One writer per band (the market-data actor publishes a symbol's band each time its router
// recomputes it), any number of feeding threads. The symbols are fixed at construction (the
// node's configured list): a tick for any other symbol is always admitted, as is a tick for a
// symbol whose band was never published. No CAF here.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/latency_histogram.hpp"
#include "core/quiet_band.hpp"
#include "core/tick.hpp"

namespace ptp::core {

class TickGate {
 public:
  explicit TickGate(const std::vector<Symbol>& symbols);

  // Feeding threads. Records the tick as its symbol's latest price; false when it falls inside the
  // symbol's quiet band (counted as a quiet tick, with its decision time), true when market data
  // must see it.
  bool admit(const PriceTick& tick);

  // The market-data actor only: the band inside which no subscriber of `symbol` cares.
  void publish(const Symbol& symbol, QuietBand band);

  // Whoever sends market data a change that may narrow a symbol's band (a new subscriber, a
  // position's new band) holds the gate open for the symbol first, and market data releases it
  // once it has published the band that follows: a tick in between is admitted (it queues behind
  // the change, as it did before the gate), never decided quiet against the band before it.
  void hold(const Symbol& symbol);
  void release(const Symbol& symbol);  // never below zero

  struct Last {
    bool known = false;
    Price price;
    std::int64_t received_ns = 0;
  };
  // The latest price admit() saw for the symbol. Price and time are stored apart: under a racing
  // admit() they may come from two consecutive ticks (the age is then off by one tick's gap).
  Last last(const Symbol& symbol) const;

  // Quiet ticks decided here since the last call (the metrics actor adds them to its totals).
  struct Quiet {
    std::uint64_t ticks = 0;
    LatencyHistogram decide_ns;  // tick received -> decided quiet
    std::int64_t newest_ns = 0;  // the last quiet tick's receive time
  };
  Quiet take_quiet();

 private:
  struct Slot {
    std::atomic<std::uint64_t> seq{0};  // odd while publish() writes the band
    std::atomic<std::int64_t> lower{QuietBand::everything_crosses().lower.units()};
    std::atomic<std::int64_t> upper{QuietBand::everything_crosses().upper.units()};
    std::atomic<std::int64_t> last_price{0};
    std::atomic<std::int64_t> last_ns{0};
    std::atomic<std::int64_t> holds{0};  // changes sent to market data and not yet published
  };
  Slot* slot(const Symbol& symbol) const;
  static QuietBand read_band(const Slot& s);

  std::map<Symbol, std::size_t> index_;  // built once, read-only afterwards
  std::unique_ptr<Slot[]> slots_;
  std::mutex quiet_mutex_;
  Quiet quiet_;
};

}  // namespace ptp::core
