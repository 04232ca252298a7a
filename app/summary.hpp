// The table printed when the node stops: per position, what ptp did and what holding would have made.
#pragma once

#include <string>
#include <vector>

#include "core/stage_plan.hpp"
#include "storage/records.hpp"

namespace ptp::exchange {
class SimExchange;
}

namespace ptp::app {

struct SummaryRow {
  storage::PositionRecord record;
  std::vector<storage::StageRecord> stages;
};

// `sim` (may be null) supplies realized PnL including exchange-side exits, and the price path for
// the no-partial-take-profit comparison (the initial stop and the extreme take-profit only).
std::string summary_table(const std::vector<SummaryRow>& rows, exchange::SimExchange* sim,
                          const core::StagePlan& plan);

}  // namespace ptp::app
