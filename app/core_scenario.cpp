#include "app/core_scenario.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "core/decision.hpp"

namespace ptp::app {
namespace {

using core::Price;
using core::Qty;
using core::Ratio;

// Three shapes of market, in R: a grind up that ends on the trailing stop, a gap over two
// stages that runs to the extreme take-profit, and a move straight to the initial stop.
const std::vector<std::vector<const char*>> kPathsInR = {
    {"0.4", "0.8", "1.05", "1.3", "0.9", "1.6", "2.05", "2.5", "3.1", "3.6", "4.3", "3.9", "3.2"},
    {"0.3", "0.5", "2.4", "2.9", "3.4", "4.6", "5.1"},
    {"0.2", "0.6", "-0.4", "-1.05"},
};

struct Summary {
  std::string name;
  std::string stages;
  Qty closed;
  Price stop;
  Qty remaining;
  core::Notional realized;
  core::Notional hold_pnl;  // the same path with no partial take-profit, marked at the last price
};

core::Notional pnl(const core::Position& p, Price exit, Qty qty) {
  Price move = exit - p.entry;
  if (p.side() == core::Side::short_) move = -move;
  return core::notional(move, qty);
}

}  // namespace

int run_core_scenario(const config::Config& cfg) {
  if (!cfg.sim) {
    spdlog::error("the core scenario needs node.exchange = \"sim\" with [[sim.position]] entries");
    return 0;
  }
  int actions = 0;
  std::vector<Summary> summaries;
  for (std::size_t i = 0; i < cfg.sim->positions.size(); ++i) {
    const auto& sp = cfg.sim->positions[i];
    const auto& filters = cfg.sim->instrument(sp.symbol)->filters;
    core::PositionKey key{cfg.exchange, cfg.account, sp.symbol, sp.side, 1};
    core::Adoption a = core::adopt(key, sp.entry, sp.size, sp.stop, cfg.default_stop_pct, filters);
    core::Position pos = *a.position;
    spdlog::info("[registry] adopted {} {} @ {} initial stop {} (1R = {}): {}", pos.key.str(), pos.original_size.str(),
                 pos.entry.str(), pos.initial_stop.str(), pos.risk().str(), a.reason);
    core::ExecutedStages done;
    Summary sum{pos.key.str(), "", Qty{}, pos.current_stop, pos.remaining_size, {}, {}};
    Price last = pos.entry;
    for (const char* r_text : kPathsInR[i % kPathsInR.size()]) {
      if (!pos.remaining_size.is_positive()) break;
      const Price mark = core::stop_target(pos, Ratio::parse(r_text)).floor_to(filters.tick_size);
      last = mark;
      if (!core::at_or_beyond(pos.side(), mark, pos.current_stop) || mark == pos.current_stop) {
        spdlog::warn("[exchange] {} stop {} hit at mark {}: closed the remaining {}", pos.key.str(),
                     pos.current_stop.str(), mark.str(), pos.remaining_size.str());
        sum.realized += pnl(pos, pos.current_stop, pos.remaining_size);
        pos.remaining_size = Qty{};
        break;
      }
      const core::Decision d = core::decide(pos, done, mark, filters, cfg.plan);
      if (cfg.plan.extreme_tp_r &&
          core::at_or_beyond(pos.side(), mark, core::trigger_price(pos, *cfg.plan.extreme_tp_r))) {
        spdlog::info("[exchange] {} extreme take-profit at {}R filled: closed the remaining {} at {}", pos.key.str(),
                     cfg.plan.extreme_tp_r->str(), pos.remaining_size.str(), mark.str());
        sum.realized += pnl(pos, mark, pos.remaining_size);
        pos.remaining_size = Qty{};
        break;
      }
      if (!d.has_actions()) {
        spdlog::debug("[market] {} mark {} R={} nothing due", pos.key.str(), mark.str(), d.r.str());
      }
      for (const core::StageAction& act : d.stages) {
        ++actions;
        const Price old_stop = pos.current_stop;
        core::apply_stage(pos, act);
        done.insert(act.stage);
        sum.stages += (sum.stages.empty() ? "" : ",") + std::to_string(act.stage.value);
        sum.closed += act.close_qty;
        sum.realized += pnl(pos, mark, act.close_qty);
        std::string what = act.skip ? fmt::format("close skipped ({})", core::to_string(*act.skip))
                           : act.close_qty.is_zero() ? std::string("nothing to close")
                                                     : fmt::format("closed {} at {}", act.close_qty.str(), mark.str());
        std::string stop = act.new_stop ? fmt::format("stop {} -> {}", old_stop.str(), act.new_stop->price.str())
                                        : fmt::format("stop stays {}", old_stop.str());
        spdlog::info("[market] {} R={} {} (trigger {}R @ {}): {}, {}, remaining {}", pos.key.str(), d.r.str(),
                     act.stage.str(), act.trigger_r.str(), act.trigger_price.str(), what, stop,
                     act.remaining_after.str());
      }
      if (d.trail_stop) {
        ++actions;
        spdlog::info("[market] {} R={} trailing stop {} -> {} (best {})", pos.key.str(), d.r.str(),
                     pos.current_stop.str(), d.trail_stop->price.str(), d.trail_best->str());
        pos.current_stop = d.trail_stop->price;
      }
      pos.trail_best = d.trail_best;
    }
    sum.hold_pnl = pnl(pos, last, pos.original_size);
    sum.closed = pos.original_size - pos.remaining_size;
    sum.stop = pos.current_stop;
    sum.remaining = pos.remaining_size;
    summaries.push_back(sum);
  }
  fmt::print("\n{:<32} {:<8} {:>10} {:>12} {:>10} {:>14} {:>14}\n", "position", "stages", "closed", "stop", "open",
             "realized", "no-partial-TP");
  for (const auto& s : summaries)
    fmt::print("{:<32} {:<8} {:>10} {:>12} {:>10} {:>14} {:>14}\n", s.name, s.stages.empty() ? "-" : s.stages,
               s.closed.str(), s.stop.str(), s.remaining.str(), s.realized.str(), s.hold_pnl.str());
  return actions;
}

}  // namespace ptp::app
