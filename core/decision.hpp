// The pure decision: given a position, what it has executed, a price and the plan, what is due.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/decimal.hpp"
#include "core/filters.hpp"
#include "core/position.hpp"
#include "core/stage_plan.hpp"

namespace ptp::core {

// The stages of one position already recorded (executed or skipped); a recorded stage is final.
class ExecutedStages {
 public:
  bool contains(StageId id) const { return id.value > 0 && id.value <= 64 && (bits_ >> (id.value - 1)) & 1u; }
  void insert(StageId id) { bits_ |= std::uint64_t{1} << (id.value - 1); }
  std::uint64_t bits() const { return bits_; }
  bool operator==(const ExecutedStages&) const = default;

 private:
  std::uint64_t bits_ = 0;
};

// One due stage: everything an executor needs, in exchange units (tick/step-rounded).
struct StageAction {
  StageId stage;
  Ratio trigger_r;
  Price trigger_price;
  Qty close_qty;                    // zero when skipped or when the stage closes nothing
  bool closes_all = false;          // this close flattens the position
  std::optional<SkipReason> skip;   // the close was skipped; the stop still moves
  std::optional<StopPrice> new_stop;  // set when the stop tightens
  Qty remaining_after;
  std::optional<Price> take_profit_price;  // the extreme take-profit, resized to remaining_after
};

struct Decision {
  Ratio r;                               // R of the price that was evaluated
  std::vector<StageAction> stages;       // due stages in plan order (several on a gap)
  std::optional<StopPrice> trail_stop;   // a trailing stop move due after the stages
  std::optional<Price> trail_best;       // the best price to remember while trailing

  bool has_actions() const { return !stages.empty() || trail_stop.has_value(); }
};

// The stage whose trail is in force: the last stage with trail_r that is done (nullptr: none).
const StageSpec* active_trailing_stage(const StagePlan& plan, ExecutedStages done);

// Pure and total: never returns a stage in `done`; stops only tighten; long and short symmetric.
Decision decide(const Position& position, ExecutedStages done, Price mark, const InstrumentFilters& filters,
                const StagePlan& plan);

// The exchange-side extreme take-profit's price for this position (tick-rounded away from the
// entry), or nullopt when the plan has none.
std::optional<Price> extreme_take_profit(const Position& position, const StagePlan& plan,
                                         const InstrumentFilters& filters);

// The stop the executed stages call for at `mark`: the tighter of the position's current stop and
// every done stage's move_stop_to_r (tick-rounded, valid at the mark). Reconciliation restores it
// when the exchange has no stop, or one left behind by a move that did not happen.
Price owed_stop(const Position& position, ExecutedStages done, Price mark, const InstrumentFilters& filters,
                const StagePlan& plan);

// Applies an executed stage to the position: the closed quantity and the tightened stop.
void apply_stage(Position& position, const StageAction& action);

// The first price at which decide() could return something new (the next stage's trigger), or
// nullopt when every stage is done. Lets a price router skip positions a tick cannot affect.
std::optional<Price> next_trigger_price(const Position& position, ExecutedStages done, const StagePlan& plan);

}  // namespace ptp::core
