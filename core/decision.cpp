#include "core/decision.hpp"

namespace ptp::core {
const StageSpec* active_trailing_stage(const StagePlan& plan, ExecutedStages done) {
  const StageSpec* active = nullptr;
  for (const auto& s : plan.stages)
    if (s.trail_r && done.contains(s.id)) active = &s;
  return active;
}

Decision decide(const Position& position, ExecutedStages done, Price mark, const InstrumentFilters& filters,
                const StagePlan& plan) {
  Decision out;
  out.r = r_multiple(position, mark);
  const Side side = position.side();
  Qty remaining = position.remaining_size;
  Price stop = position.current_stop;

  for (const StageSpec& spec : plan.stages) {
    if (done.contains(spec.id)) continue;
    if (!remaining.is_positive()) break;
    const Price trigger = trigger_price(position, spec.trigger_r);
    if (!at_or_beyond(side, mark, trigger)) break;  // triggers increase: later stages are not due either

    StageAction action;
    action.stage = spec.id;
    action.trigger_r = spec.trigger_r;
    action.trigger_price = trigger;
    if (!spec.close_fraction.is_zero()) {
      const Qty base = plan.fraction_of == FractionOf::original ? position.original_size : remaining;
      const CloseSizing sizing = size_close(spec.close_fraction.of(base), remaining, mark, filters);
      action.close_qty = sizing.qty;
      action.closes_all = sizing.closes_all;
      action.skip = sizing.skip;
    }
    remaining -= action.close_qty;
    action.remaining_after = remaining;
    if (remaining.is_positive()) {
      if (spec.move_stop_to_r) {
        auto candidate = valid_stop_price(side, stop_target(position, *spec.move_stop_to_r), mark, filters);
        if (candidate && tighter_stop(side, candidate->price, stop)) {
          action.new_stop = candidate;
          stop = candidate->price;
        }
      }
      action.take_profit_price = extreme_take_profit(position, plan, filters);
    }
    done.insert(spec.id);
    out.stages.push_back(action);
  }

  // The trail in force once the due stages are done too.
  const StageSpec* trailing = active_trailing_stage(plan, done);
  if (trailing && remaining.is_positive()) {
    Price best = mark;
    if (position.trail_best && tighter_stop(side, *position.trail_best, mark)) best = *position.trail_best;
    out.trail_best = best;
    const Price offset = scale(position.risk(), *trailing->trail_r, /*round_up=*/true);
    const Price target = side == Side::long_ ? best - offset : best + offset;
    auto candidate = valid_stop_price(side, target, mark, filters);
    const Price min_move = scale(position.risk(), plan.trail_step_r, /*round_up=*/true);
    if (candidate && tighter_stop(side, candidate->price, stop) && (candidate->price - stop).abs() >= min_move)
      out.trail_stop = candidate;
  }
  return out;
}

std::optional<Price> extreme_take_profit(const Position& position, const StagePlan& plan,
                                         const InstrumentFilters& filters) {
  if (!plan.extreme_tp_r) return std::nullopt;
  return take_profit_price(position.side(), trigger_price(position, *plan.extreme_tp_r), filters);
}

Price owed_stop(const Position& position, ExecutedStages done, Price mark, const InstrumentFilters& filters,
                const StagePlan& plan) {
  Price stop = position.current_stop;
  for (const StageSpec& spec : plan.stages) {
    if (!done.contains(spec.id) || !spec.move_stop_to_r) continue;
    auto candidate = valid_stop_price(position.side(), stop_target(position, *spec.move_stop_to_r), mark, filters);
    if (candidate && tighter_stop(position.side(), candidate->price, stop)) stop = candidate->price;
  }
  return stop;
}

void apply_stage(Position& position, const StageAction& action) {
  position.closed(action.close_qty);
  if (action.new_stop) position.stop_moved(action.new_stop->price);
}

std::optional<Price> next_trigger_price(const Position& position, ExecutedStages done, const StagePlan& plan) {
  for (const StageSpec& spec : plan.stages)
    if (!done.contains(spec.id)) return trigger_price(position, spec.trigger_r);
  return std::nullopt;
}

}  // namespace ptp::core

