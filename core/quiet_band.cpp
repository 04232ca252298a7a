#include "core/quiet_band.hpp"

namespace ptp::core {

QuietBand quiet_band(const Position& position, ExecutedStages done, const StagePlan& plan) {
  QuietBand band = QuietBand::never();
  if (!position.remaining_size.is_positive()) return band;
  const bool is_long = position.side() == Side::long_;
  auto include = [&](Price level) {
    if (is_long && level < band.upper) band.upper = level;
    if (!is_long && level > band.lower) band.lower = level;
  };
  if (auto next = next_trigger_price(position, done, plan)) include(*next);
  if (const StageSpec* trailing = active_trailing_stage(plan, done)) {
    // A trailing move needs best - offset to beat the stop by min_move: best >= stop + min_move + offset
    // (before tick rounding, which only ever asks for more). Mirrored for shorts.
    const Price offset = scale(position.risk(), *trailing->trail_r, /*round_up=*/true);
    const Price min_move = scale(position.risk(), plan.trail_step_r, /*round_up=*/true);
    include(is_long ? position.current_stop + min_move + offset : position.current_stop - min_move - offset);
  }
  return band;
}

}  // namespace ptp::core
