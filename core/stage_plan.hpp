// The configurable staged take-profit plan and its validation.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "core/fraction.hpp"

namespace ptp::core {

// 1-based stage number within a plan.
struct StageId {
  std::uint8_t value = 0;
  std::string str() const { return "stage " + std::to_string(value); }
  auto operator<=>(const StageId&) const = default;
};

struct StageSpec {
  StageId id;
  Ratio trigger_r;                      // fires when the mark reaches this many R in profit
  Fraction close_fraction;              // of the original size (or of the remaining, per plan)
  std::optional<Ratio> move_stop_to_r;  // new stop at entry + this many R (0 = breakeven)
  std::optional<Ratio> trail_r;         // from this stage on, the stop trails the best price by this many R
};

enum class FractionOf : unsigned char { original, remaining };

class PlanError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct StagePlan {
  static constexpr std::size_t kMaxStages = 32;

  std::vector<StageSpec> stages;
  FractionOf fraction_of = FractionOf::original;
  std::optional<Ratio> extreme_tp_r;          // exchange-side take-profit for the remainder
  Ratio trail_step_r = Ratio::parse("0.1");   // a trailing stop moves only by at least this many R

  // 1R: close 1/3, stop to breakeven; 2R: close 1/3, stop to +1R; 3R: trail by 1R; TP at 5R.
  static StagePlan default_plan();

  // Throws PlanError naming the stage and the rule: strictly increasing positive triggers, each
  // fraction in [0, 1] and (of the original) summing to at most 1, each stop target in (-1R,
  // trigger), positive trail distances, an extreme TP beyond the last trigger, stage ids 1..n.
  void validate() const;

  const StageSpec* find(StageId id) const;
};

std::string to_string(FractionOf f);

}  // namespace ptp::core
