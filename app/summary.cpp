#include "app/summary.hpp"

#include <fmt/format.h>

#include "core/decision.hpp"
#include "core/hold_tracker.hpp"
#include "sim/sim_exchange.hpp"

namespace ptp::app {
namespace {

core::Notional closes_pnl(const SummaryRow& row) {
  core::Notional total;
  const auto& p = row.record.position;
  for (const auto& s : row.stages) {
    core::Price move = s.fill_price - p.entry;
    if (p.side() == core::Side::short_) move = -move;
    total += core::notional(move, s.closed_qty);
  }
  return total;
}

}  // namespace

std::string summary_table(const std::vector<SummaryRow>& rows, exchange::SimExchange* sim,
                          const core::StagePlan& plan) {
  std::string out = fmt::format("\n{:<30} {:<30} {:>10} {:>12} {:>10} {:>12} {:>14}\n", "position", "stages (caller)",
                                "closed", "stop", "open", "realized", "no-partial-TP");
  for (const auto& row : rows) {
    const auto& p = row.record.position;
    std::string stages;
    for (const auto& s : row.stages)
      if (s.state == storage::StageState::done)
        stages += fmt::format("{}{}:{}", stages.empty() ? "" : " ", s.stage.value, core::to_string(s.caller));
    core::Qty closed = p.original_size - p.remaining_size;
    std::string realized = closes_pnl(row).str() + "*";
    std::string hold = "-";
    std::string open = row.record.open ? p.remaining_size.str() : "closed";
    if (sim) {
      const auto live = sim->position(p.key.symbol, p.side());
      open = row.record.open && live ? live->size.str() : "closed";
      closed = p.original_size - (row.record.open && live ? live->size : core::Qty{});  // exchange-side exits too
      realized = sim->realized_pnl(p.key.symbol, p.side()).str();
      const auto path = sim->price_path(p.key.symbol);
      const auto filters = sim->filters(p.key.symbol);
      core::HoldTracker h(p, core::extreme_take_profit(p, plan, filters));
      for (core::Price price : path) h.observe(price);
      hold = h.pnl(path.empty() ? p.entry : path.back()).str() + (h.closed() ? "" : " (open)");
    }
    out += fmt::format("{:<30} {:<30} {:>10} {:>12} {:>10} {:>12} {:>14}\n", p.key.str(), stages.empty() ? "-" : stages,
                       closed.str(), p.current_stop.str(), open, realized,
                       hold);
  }
  if (!sim) out += "* realized from ptp's own closes only (exchange-side stop and take-profit fills not included)\n";
  return out;
}

}  // namespace ptp::app
