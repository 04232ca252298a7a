#include "core/ladder.hpp"

namespace ptp::core {

Ladder plan_ladder(Position position, const InstrumentFilters& filters, const StagePlan& plan) {
  Ladder out;
  out.risk = position.risk();
  out.take_profit_price = extreme_take_profit(position, plan, filters);
  ExecutedStages done;
  for (const StageSpec& spec : plan.stages) {
    if (!position.remaining_size.is_positive()) break;
    const Decision d = decide(position, done, trigger_price(position, spec.trigger_r), filters, plan);
    for (const StageAction& a : d.stages) {
      apply_stage(position, a);
      done.insert(a.stage);
      out.rows.push_back({a, position.current_stop});
    }
  }
  return out;
}

}  // namespace ptp::core
