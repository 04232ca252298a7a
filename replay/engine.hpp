// One position under one plan, replayed over a price path on a virtual clock. The node's own
// parts do the work: core::respond_to_tick (what a tick makes the position do), core::StageRun and
// core::TrailingMove (each stage's and each trailing move's steps, in the node's order), the
// filters' rounding, and the simulator's engine (sim/sim_exchange: fills, and the stop and
// take-profit resting on the exchange that fire when the price crosses them). Storage is a no-op
// that always succeeds and a Wait advances the virtual clock; nothing sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/filters.hpp"
#include "core/order.hpp"
#include "core/stage_plan.hpp"
#include "replay/positions.hpp"
#include "replay/prices.hpp"

namespace ptp::replay {

struct PlanSpec {
  std::string name;         // "config", the --plan file's name, "no partial take-profit"
  core::StagePlan plan;
  bool baseline = false;    // "no partial take-profit": initial stop and extreme take-profit only
};

// The baseline every replay adds: no stages, the same extreme take-profit as `plan`.
PlanSpec no_partial_take_profit(const core::StagePlan& plan);

struct ReplaySettings {
  std::chrono::milliseconds dedupe_window{30'000};
  std::optional<core::Ratio> default_stop_pct;
  std::string account = "replay";
};

struct StageFill {
  core::StageId stage;
  std::int64_t ms = 0;
  core::Price mark;   // the price that made it due
  core::Price price;  // the fill
  core::Qty qty;      // closed (zero: skipped or nothing to close)
  std::string outcome;
};

struct StopStep {
  std::int64_t ms = 0;
  core::Price stop;
  std::string why;  // "initial", "stage 1", "trailing"
};

struct Exit {
  std::int64_t ms = 0;
  core::Price price;
  core::Qty qty;
  std::string by;  // "stop", "take-profit", "stage 3" (a stage that closed the rest)
};

struct TradeResult {
  std::string position;        // "BTC_USDT long @ 42000"
  std::string plan;
  std::int64_t entry_ms = 0;
  std::int64_t end_ms = 0;     // the exit, or the last price while still open
  core::Price entry, initial_stop;
  core::Qty size;
  std::optional<core::Price> take_profit;  // the extreme take-profit placed at entry
  std::vector<StageFill> stages;
  std::vector<StopStep> stops;             // the stop as it stepped, the initial one first
  std::vector<Exit> exits;                 // every fill that closed part or all of it (stages too)
  bool open_at_end = false;
  core::Price last_price;
  core::Qty remaining;                     // open at the end
  core::Notional realized;                 // booked by the simulator's fills
  core::Notional pnl;                      // realized + the open rest marked at the last price
  double r = 0;                            // pnl in R (of the whole position's initial risk)
  core::Price best, worst;                 // most favourable / adverse price while in the trade
  double mfe_r = 0, mae_r = 0;
  std::vector<core::OrderState> orders;    // every order the simulator took for the trade, latest state
  std::size_t ticks = 0;                   // prices seen while in the trade
  std::size_t evaluated = 0;               // of which left the quiet band (the rest cost two compares)
};

// Replays `position` under `plan` from its entry on over `path` (the position side's path, oldest
// first). Throws InputError when the position cannot be opened (no price at or after its entry time,
// a stop on the wrong side).
TradeResult replay_trade(const PositionSpec& position, const core::InstrumentFilters& filters, const PlanSpec& plan,
                         std::span<const Tick> path, const ReplaySettings& settings);

}  // namespace ptp::replay
