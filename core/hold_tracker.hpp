// What the same position would have made with no partial take-profit: the full original size,
// the initial stop and (if planned) the extreme take-profit, nothing else. Fed the same prices.
#pragma once

#include <optional>

#include "core/position.hpp"

namespace ptp::core {

class HoldTracker {
 public:
  HoldTracker() = default;
  HoldTracker(const Position& p, std::optional<Price> take_profit) : position_(p), take_profit_(take_profit) {}

  void observe(Price mark);               // the first crossing of the stop or take-profit ends it
  Notional pnl(Price last_mark) const;    // realized if it ended, else marked at `last_mark`
  bool closed() const { return exit_.has_value(); }

 private:
  std::optional<Position> position_;
  std::optional<Price> take_profit_;
  std::optional<Price> exit_;
};

}  // namespace ptp::core
