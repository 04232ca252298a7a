// Generation bookkeeping for position identity: one counter per (exchange, account, symbol, side).
#pragma once

#include <cstdint>
#include <map>
#include <tuple>

#include "core/position.hpp"

namespace ptp::core {

class GenerationTracker {
 public:
  // The exchange reports an open position in the slot of `key` (its generation is ignored).
  // Returns the key with the generation that position belongs to: unchanged while it stays open,
  // one more after the slot was seen flat (the first position in a slot is generation 1).
  PositionKey observe_open(PositionKey key);

  // The exchange reports no position in the slot of `key`.
  void observe_flat(const PositionKey& key);

  // Restores what storage knows (on start): the slot's last generation and whether it was open.
  void restore(const PositionKey& key, bool open);

 private:
  using Slot = std::tuple<Exchange, std::string, Symbol, Side>;
  struct State {
    std::uint32_t generation = 0;
    bool open = false;
  };
  static Slot slot_of(const PositionKey& k) { return {k.exchange, k.account, k.symbol, k.side}; }
  std::map<Slot, State> slots_;
};

}  // namespace ptp::core
