#include "core/stage_plan.hpp"

namespace ptp::core {

StagePlan StagePlan::default_plan() {
  StagePlan p;
  p.stages = {
      {StageId{1}, Ratio::from_int(1), Fraction(1, 3), Ratio::from_int(0), std::nullopt},
      {StageId{2}, Ratio::from_int(2), Fraction(1, 3), Ratio::from_int(1), std::nullopt},
      {StageId{3}, Ratio::from_int(3), Fraction(0, 1), std::nullopt, Ratio::from_int(1)},
  };
  p.extreme_tp_r = Ratio::from_int(5);
  return p;
}

void StagePlan::validate() const {
  if (stages.empty()) throw PlanError("the plan has no stages");
  if (stages.size() > kMaxStages)
    throw PlanError("the plan has " + std::to_string(stages.size()) + " stages; at most " +
                    std::to_string(kMaxStages) + " are supported");
  Fraction total;
  const Fraction whole(1, 1);
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const StageSpec& s = stages[i];
    const std::string name = "stage " + std::to_string(i + 1);
    if (s.id.value != i + 1) throw PlanError(name + ": id is " + std::to_string(s.id.value) + ", expected " + std::to_string(i + 1));
    if (!s.trigger_r.is_positive()) throw PlanError(name + ": trigger_r must be greater than 0, got " + s.trigger_r.str());
    if (i > 0 && s.trigger_r <= stages[i - 1].trigger_r)
      throw PlanError(name + ": trigger_r " + s.trigger_r.str() + " must be greater than stage " +
                      std::to_string(i) + "'s trigger_r " + stages[i - 1].trigger_r.str());
    if (whole < s.close_fraction)
      throw PlanError(name + ": close_fraction " + s.close_fraction.str() + " is more than 1");
    total = total + s.close_fraction;
    if (s.move_stop_to_r) {
      if (*s.move_stop_to_r >= s.trigger_r)
        throw PlanError(name + ": move_stop_to_r " + s.move_stop_to_r->str() + " must be below its trigger_r " +
                        s.trigger_r.str() + " (the stop would sit at or above the price that fired the stage)");
      if (*s.move_stop_to_r <= Ratio::from_int(-1))
        throw PlanError(name + ": move_stop_to_r " + s.move_stop_to_r->str() +
                        " must be above -1 (at -1R it is the initial stop)");
    }
    if (s.trail_r && !s.trail_r->is_positive())
      throw PlanError(name + ": trail_r must be greater than 0, got " + s.trail_r->str());
    if (s.close_fraction.is_zero() && !s.move_stop_to_r && !s.trail_r)
      throw PlanError(name + ": closes nothing, moves no stop and starts no trail; remove it or give it an action");
  }
  if (fraction_of == FractionOf::original && whole < total)
    throw PlanError("close fractions sum to " + total.str() + " of the original size; at most 1 is possible");
  if (extreme_tp_r && *extreme_tp_r <= stages.back().trigger_r)
    throw PlanError("extreme_tp_r " + extreme_tp_r->str() + " must be greater than the last stage's trigger_r " +
                    stages.back().trigger_r.str());
  if (!trail_step_r.is_positive()) throw PlanError("trail_step_r must be greater than 0, got " + trail_step_r.str());
}

const StageSpec* StagePlan::find(StageId id) const {
  for (const auto& s : stages)
    if (s.id == id) return &s;
  return nullptr;
}

std::string to_string(FractionOf f) { return f == FractionOf::original ? "original" : "remaining"; }

}  // namespace ptp::core
