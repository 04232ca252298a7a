#include "core/hold_tracker.hpp"

namespace ptp::core {

void HoldTracker::observe(Price mark) {
  if (!position_ || exit_) return;
  const Side side = position_->side();
  if (!at_or_beyond(side, mark, position_->initial_stop) || mark == position_->initial_stop) exit_ = position_->initial_stop;
  else if (take_profit_ && at_or_beyond(side, mark, *take_profit_)) exit_ = *take_profit_;
}

Notional HoldTracker::pnl(Price last_mark) const {
  if (!position_) return Notional{};
  Price move = exit_.value_or(last_mark) - position_->entry;
  if (position_->side() == Side::short_) move = -move;
  return notional(move, position_->original_size);
}

}  // namespace ptp::core
