// The full stage ladder of a position: what each stage will do when the price reaches its trigger.
// Used by `ptp-node --check` to show the plan before anything trades.
#pragma once

#include <optional>
#include <vector>

#include "core/decision.hpp"

namespace ptp::core {

struct LadderRow {
  StageAction action;  // the stage as decide() returns it at exactly its trigger price
  Price stop_after;    // the stop in force after the stage
};

struct Ladder {
  Price risk;                              // 1R as a price distance
  std::vector<LadderRow> rows;             // one per stage the position can still reach
  std::optional<Price> take_profit_price;  // the exchange-side extreme take-profit, if planned
};

Ladder plan_ladder(Position position, const InstrumentFilters& filters, const StagePlan& plan);

}  // namespace ptp::core
