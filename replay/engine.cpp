#include "replay/engine.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/client_order_id.hpp"
#include "core/quiet_band.hpp"
#include "core/stage_run.hpp"
#include "core/tick_response.hpp"
#include "core/trailing_move.hpp"
#include "sim/sim_exchange.hpp"

namespace ptp::replay {
namespace {

using core::Price;
using core::Qty;

// Bounds on one state machine's steps: each ends in a handful against the simulator; a run that
// does not is a bug, reported rather than looped on.
constexpr int kMaxSteps = 100'000;

double r_of(core::Notional pnl, Price risk, Qty size) {
  const double risk_quote = static_cast<double>(risk.units()) / core::kDecimalOne *
                            (static_cast<double>(size.units()) / core::kDecimalOne);
  return risk_quote > 0 ? static_cast<double>(pnl.units()) / core::kDecimalOne / risk_quote : 0.0;
}

double r_at(const core::Position& p, Price price) {
  const double move = static_cast<double>((price - p.entry).units()) * core::direction(p.side());
  return p.risk().is_positive() ? move / static_cast<double>(p.risk().units()) : 0.0;
}

// One replayed trade: the position's record and stage book as the position actor keeps them, the
// simulator as its exchange, the virtual clock.
class Trade {
 public:
  Trade(const PositionSpec& spec, const core::InstrumentFilters& filters, const PlanSpec& plan,
        const ReplaySettings& settings, std::int64_t entry_ms)
      : spec_(spec), filters_(filters), plan_(plan), settings_(settings), now_ms_(entry_ms),
        sim_(sim_settings(spec, filters)) {
    const core::PositionKey key{core::Exchange::sim, settings.account, spec.symbol, spec.side, 1};
    const core::Adoption a = core::adopt(key, spec.entry, spec.size, spec.stop, settings.default_stop_pct, filters);
    if (!a.position) throw InputError(spec.origin + ": " + a.reason);
    rec_.position = *a.position;
    rec_.adopted_at = now();
    // The user's stop rests on the exchange (the node adopts it as the initial stop); the extreme
    // take-profit is placed at adoption, as the node's reconcile places it.
    sim_.open_position(spec.symbol, spec.side, spec.entry, spec.size, rec_.position.initial_stop);
    for (const auto& o : sim_.open_orders()) rec_.stop_order = o.ref;
    out_.entry_ms = entry_ms;
    out_.entry = spec.entry;
    out_.initial_stop = rec_.position.initial_stop;
    out_.size = spec.size;
    out_.plan = plan.name;
    out_.position = spec.symbol.canonical() + " " + std::string(core::to_string(spec.side)) + " @ " + spec.entry.str();
    out_.stops.push_back({entry_ms, rec_.position.initial_stop, "initial"});
    if (auto tp = core::extreme_take_profit(rec_.position, plan.plan, filters)) {
      const auto answer = exchange::send_order(
          sim_, core::OrderCommand{core::OrderCommand::Op::take_profit, spec.symbol, spec.side, spec.size, *tp,
                                   core::repair_order_id(key, core::OrderStep::take_profit, ++rec_.order_seq), {}});
      if (answer.ok) {
        rec_.tp_order = answer.state.ref;
        out_.take_profit = tp;
      }
    }
    out_.best = out_.worst = spec.entry;
    rebuild_bands();
  }

  // Returns false once the position is flat.
  bool on_price(const Tick& t) {
    const Price p = t.price;
    ++out_.ticks;
    out_.last_price = p;
    out_.end_ms = t.ms;
    if (core::tighter_stop(spec_.side, p, out_.best)) out_.best = p;
    if (core::tighter_stop(spec_.side, out_.worst, p)) out_.worst = p;
    if (band_.contains(p)) return true;  // nothing rests at this price and the position has nothing to do
    ++out_.evaluated;
    now_ms_ = t.ms;
    sim_.set_mark(spec_.symbol, p);  // the exchange's stop or take-profit fires here if crossed
    if (!exchange_side_fills()) return false;
    if (!position_band_.contains(p)) respond(p);
    if (!rec_.position.remaining_size.is_positive()) return false;
    rebuild_bands();
    return true;
  }

  TradeResult finish() {
    const core::Position& p = rec_.position;
    out_.remaining = p.remaining_size;
    out_.open_at_end = p.remaining_size.is_positive();
    out_.realized = sim_.realized_pnl(spec_.symbol, spec_.side);
    core::Notional open;
    if (out_.open_at_end) {
      Price move = out_.last_price - p.entry;
      if (p.side() == core::Side::short_) move = -move;
      open = core::notional(move, p.remaining_size);
    }
    out_.pnl = out_.realized + open;
    out_.r = r_of(out_.pnl, p.risk(), p.original_size);
    out_.mfe_r = r_at(p, out_.best);
    out_.mae_r = r_at(p, out_.worst);
    for (const auto& o : sim_.order_log()) out_.orders.push_back(o);
    return out_;
  }

 private:
  static config::SimSettings sim_settings(const PositionSpec& spec, const core::InstrumentFilters& filters) {
    config::SimSettings s;
    s.instruments.push_back(config::SimInstrument{spec.symbol, filters, spec.entry, {}, {}});
    return s;
  }

  core::Clock::time_point now() const { return core::Clock::time_point(std::chrono::milliseconds(now_ms_)); }

  // The band where no tick matters: inside the position's quiet band (core/quiet_band) and short of
  // every trigger resting on the exchange.
  void rebuild_bands() {
    position_band_ = core::quiet_band(rec_.position, book_.executed(), plan_.plan);
    band_ = position_band_;
    for (const auto& o : sim_.open_orders()) {
      const bool below = exchange::fires_at_or_below(o);
      if (below && o.trigger_price > band_.lower) band_.lower = o.trigger_price;
      if (!below && o.trigger_price < band_.upper) band_.upper = o.trigger_price;
    }
  }

  // A stop or take-profit that fired: the node learns the smaller size from the exchange (its
  // reconcile adopts it). Returns false when the position is flat.
  bool exchange_side_fills() {
    const auto live = sim_.position(spec_.symbol, spec_.side);
    const Qty size = live ? live->size : Qty{};
    if (size == rec_.position.remaining_size) return true;
    for (const auto& o : sim_.order_log()) {
      if (o.kind != core::OrderKind::stop && o.kind != core::OrderKind::take_profit) continue;
      if (o.status != core::OrderStatus::filled || !seen_fills_.insert(o.ref.exchange_id).second) continue;
      out_.exits.push_back({now_ms_, o.avg_fill_price, o.filled_qty,
                            o.kind == core::OrderKind::stop ? "stop" : "take-profit"});
    }
    rec_.position.remaining_size = size;
    if (!size.is_positive()) rec_.mark_closed(now());
    return size.is_positive();
  }

  void respond(Price mark) {
    const auto resp = core::respond_to_tick(rec_.position, book_, mark, /*observe=*/false, now(),
                                            settings_.dedupe_window, filters_, plan_.plan, true, true);
    if (resp.trail_best) rec_.position.trail_best = resp.trail_best;
    if (resp.trail_move) move_trailing_stop(*resp.trail_move, *resp.trail_best);
    if (!resp.run_stages) return;
    for (const core::StageAction& action : resp.arbitration.execute)
      if (!core::stage_chain_goes_on(run_stage(action, mark))) break;
  }

  core::Outcome run_stage(const core::StageAction& action, Price mark) {
    using Run = core::StageRun;
    const std::int64_t* clock = &now_ms_;
    Run run = Run::start(action, book_.next_attempt(action.stage), core::Caller::market, mark, rec_, filters_,
                         settings_.dedupe_window,
                         [clock] { return core::Clock::time_point(std::chrono::milliseconds(*clock)); });
    Run::Step step = run.begin();
    for (int i = 0; i < kMaxSteps; ++i) {
      if (std::holds_alternative<Run::StoreIntent>(step.command)) {
        step = run.intent_stored();
      } else if (auto* send = std::get_if<Run::Send>(&step.command)) {
        step = run.order_answered(exchange::send_order(sim_, send->order));
      } else if (auto* wait = std::get_if<Run::Wait>(&step.command)) {
        now_ms_ += wait->delay.count();
        step = run.timer();
      } else if (std::holds_alternative<Run::StoreResult>(step.command)) {
        step = run.result_stored();
      } else {
        const auto& done = std::get<Run::Done>(step.command);
        take_over(done, action);
        return done.outcome;
      }
    }
    throw std::logic_error(action.stage.str() + " did not end in " + std::to_string(kMaxSteps) + " steps");
  }

  // What the position actor takes over from a finished stage (core::take_over), and the report's rows.
  void take_over(const core::StageRun::Done& d, const core::StageAction& action) {
    const Price old_stop = rec_.position.current_stop;
    const auto how = core::take_over(d, rec_, book_);
    if (how == core::StageTakeOver::went_through) {
      const core::StageRecord& r = *d.record;
      out_.stages.push_back({r.stage, now_ms_, r.mark, r.fill_price, r.closed_qty, d.outcome.str()});
      if (r.closed_qty.is_positive()) out_.exits.push_back({now_ms_, r.fill_price, r.closed_qty, r.stage.str()});
      if (rec_.position.current_stop != old_stop && rec_.position.remaining_size.is_positive())
        out_.stops.push_back({now_ms_, rec_.position.current_stop, action.stage.str()});
    } else if (how == core::StageTakeOver::failed) {
      out_.stages.push_back({d.record->stage, now_ms_, d.record->mark, {}, {}, d.outcome.str()});
    }
  }

  void move_trailing_stop(core::StopPrice stop, Price best) {
    using W = core::RecordWork;
    const core::StageSpec* trailing = core::active_trailing_stage(plan_.plan, book_.executed());
    core::TrailingMove move(rec_, stop, best, trailing ? trailing->id : core::StageId{0});
    const Price old_stop = rec_.position.current_stop;
    W::Step step = move.begin();
    for (int i = 0; i < kMaxSteps; ++i) {
      if (std::holds_alternative<W::Reserve>(step.command)) {
        step = move.reserved();
      } else if (auto* send = std::get_if<W::Send>(&step.command)) {
        step = move.order_answered(exchange::send_order(sim_, send->order));
      } else if (auto* save = std::get_if<W::Save>(&step.command)) {
        rec_ = save->record;
        step = move.saved();
      } else {
        rec_ = std::get<W::Done>(step.command).record;
        if (rec_.position.current_stop != old_stop) out_.stops.push_back({now_ms_, rec_.position.current_stop, "trailing"});
        return;
      }
    }
    throw std::logic_error("a trailing move did not end");
  }

  const PositionSpec& spec_;
  const core::InstrumentFilters& filters_;
  const PlanSpec& plan_;
  const ReplaySettings& settings_;
  std::int64_t now_ms_;
  exchange::SimExchange sim_;
  core::PositionRecord rec_;
  core::StageBook book_;
  core::QuietBand position_band_;
  core::QuietBand band_;
  std::set<std::string> seen_fills_;
  TradeResult out_;
};

}  // namespace

PlanSpec no_partial_take_profit(const core::StagePlan& plan) {
  PlanSpec out{"no partial take-profit", {}, true};
  out.plan.stages.clear();
  out.plan.extreme_tp_r = plan.extreme_tp_r;
  return out;
}

TradeResult replay_trade(const PositionSpec& position, const core::InstrumentFilters& filters, const PlanSpec& plan,
                         std::span<const Tick> path, const ReplaySettings& settings) {
  auto first = path.begin();
  if (position.entry_ms)
    first = std::lower_bound(path.begin(), path.end(), *position.entry_ms,
                             [](const Tick& t, std::int64_t ms) { return t.ms < ms; });
  if (first == path.end())
    throw InputError(position.origin + ": no " + position.symbol.canonical() + " price at or after its entry time");
  Trade trade(position, filters, plan, settings, position.entry_ms.value_or(first->ms));
  for (auto it = first; it != path.end(); ++it)
    if (!trade.on_price(*it)) break;
  return trade.finish();
}

}  // namespace ptp::replay
