// The position actor: owns one open position and is the only place its stages execute. It is the
// lock: while a stage is in flight every other request gets `in_progress` at once, and ticks that
// arrive meanwhile are conflated to the latest, evaluated when the stage is done. Its parts live in
// position_orders.cpp, position_stage.cpp and position_reconcile.cpp (see position_parts.hpp).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "actors/error_text.hpp"
#include "actors/latency_trace.hpp"
#include "actors/position_parts.hpp"
#include "core/quiet_band.hpp"
#include "core/tick_gate.hpp"
#include "core/tick_response.hpp"
#include "core/trailing_move.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::actors {
namespace position_parts {

const core::Position& pos(self_ptr self) { return self->state.rec.position; }
std::string who(self_ptr self) { return pos(self).key.str(); }

std::string stop_label(self_ptr self, core::Price stop) { return core::stop_label(pos(self), stop); }

void count(self_ptr self, core::Caller caller, OutcomeKind kind) {
  self->send(self->state.deps.metrics, outcome_atom_v, caller, kind);
}

void evaluate_tick(self_ptr self, const core::PriceTick& tick);

void publish_band(self_ptr self) {
  auto& st = self->state;
  const auto band = st.draining ? core::QuietBand::never()
                                : core::quiet_band(st.rec.position, st.book.executed(), st.deps.settings->plan);
  if (st.deps.gate) st.deps.gate->hold(st.rec.position.key.symbol);
  self->send(st.deps.market_data, band_atom_v, st.rec.position.key.symbol, position_actor{self}, band.lower, band.upper);
}

void after_flight(self_ptr self) {
  auto& st = self->state;
  st.in_flight = false;
  st.changed_ns = core::steady_now_ns();
  if (std::exchange(st.reconcile_due, false)) send_reconcile_request(self);
  if (st.draining) {
    for (auto* waiters : {&st.drain_waiters, &st.idle_waiters}) {
      for (auto& w : *waiters) w.deliver(true);
      waiters->clear();
    }
    return;
  }
  if (auto tick = std::exchange(st.pending_tick, std::nullopt)) evaluate_tick(self, *tick);
  if (!st.in_flight) {
    publish_band(self);
    for (auto& w : st.idle_waiters) w.deliver(true);
    st.idle_waiters.clear();
  }
}

// A trailing-stop move (core/trailing_move.hpp). The flight ends once the position record is
// saved, so the next move starts from the stop just placed.
void move_trailing_stop(self_ptr self, core::StopPrice stop, core::Price best) {
  auto& st = self->state;
  const core::StageSpec* trailing = core::active_trailing_stage(st.deps.settings->plan, st.book.executed());
  auto move = std::make_shared<core::TrailingMove>(st.rec, stop, best, trailing ? trailing->id : core::StageId{0});
  st.in_flight = true;
  run_record_work(self, move, move->begin(), [self](const core::RecordWork::Done& done) {
    auto& backoff = self->state.trailing_backoff;
    if (!done.refused) {
      backoff.succeeded();
      return;
    }
    backoff.failed(core::RetryBackoff::Clock::now());
    log_repeated(spdlog::level::warn, "[market] {} trailing stop refused {} time(s) in a row: the next move waits {} ms", who(self),
                 backoff.failures(), std::chrono::duration_cast<std::chrono::milliseconds>(backoff.wait()).count());
  });
}

void log_observed(self_ptr self, core::Caller caller, const std::vector<core::StageAction>& actions, core::Ratio r,
                  bool once) {
  for (const auto& a : actions) {
    if (once && !self->state.observed.insert(a.stage.value).second) continue;
    std::string close = a.skip ? fmt::format("skip the close ({})", core::to_string(*a.skip))
                        : a.close_qty.is_zero() ? std::string("close nothing")
                                                : fmt::format("close {}", a.close_qty.str());
    std::string stop = a.new_stop ? fmt::format(", move the stop to {}", stop_label(self, a.new_stop->price)) : "";
    spdlog::info("[{}] (observe) {} R={} {} due: would {}{}; nothing sent", core::to_string(caller), who(self), r.str(2),
                 a.stage.str(), close, stop);
  }
}

void evaluate_tick(self_ptr self, const core::PriceTick& tick) {
  if (trace::sink()) {
    trace::mark_at(trace::Point::tick_parsed, tick.symbol, tick.received_ns);
    trace::mark(trace::Point::position_got_tick, tick.symbol);
  }
  auto& st = self->state;
  st.last_mark = tick.price;
  if (st.draining) return;
  if (st.in_flight) {
    st.pending_tick = tick;  // conflated: the latest price is what matters when the stage is done
    return;
  }
  if (st.awaiting_reconcile) {  // nothing is sent until the reconcile has looked
    remind_reconcile(self);
    publish_band(self);  // the answer to this tick: the router sends the next one
    return;
  }
  const auto& settings = *st.deps.settings;
  const auto now = core::RetryBackoff::Clock::now();
  const auto resp = core::respond_to_tick(st.rec.position, st.book, tick.price, settings.observe, core::Clock::now(),
                                          settings.dedupe_window, st.filters, settings.plan,
                                          st.trailing_backoff.ready(now), st.stage_backoff.ready(now));
  const auto& arb = resp.arbitration;
  if (tick.received_ns) self->send(st.deps.metrics, latency_atom_v, core::steady_now_ns() - tick.received_ns);
  if (arb.answer) {
    if (arb.answer->kind == OutcomeKind::observe_only) {
      log_observed(self, core::Caller::market, arb.execute, arb.decision.r, /*once=*/true);
    }
    if (resp.trail_best) st.rec.position.trail_best = resp.trail_best;
    if (resp.trail_move) move_trailing_stop(self, *resp.trail_move, *resp.trail_best);
    if (!st.in_flight) publish_band(self);
    return;
  }
  // A stage that keeps failing is not asked again on every tick: the health check and the agent
  // still ask at their pace.
  if (resp.stages_held) {
    publish_band(self);  // the answer to this tick: the router sends the next one
    return;
  }
  st.in_flight = true;
  trace::mark(trace::Point::decided, tick.symbol);
  run_stages(self, arb.execute, 0, core::Caller::market, tick.price, [=](Outcome o) {
    count(self, core::Caller::market, o.kind);
    auto& backoff = self->state.stage_backoff;
    if (o.kind == OutcomeKind::failed) {
      backoff.failed(core::RetryBackoff::Clock::now());
      log_repeated(spdlog::level::warn, "[market] {} stage failed {} time(s) in a row: the market asks again in {} ms", who(self),
                   backoff.failures(), std::chrono::duration_cast<std::chrono::milliseconds>(backoff.wait()).count());
    } else {
      backoff.succeeded();
    }
    after_flight(self);
  });
}

position_actor::behavior_type position(self_ptr self, PositionDeps deps, storage::PositionRecord record,
                                       std::vector<storage::StageRecord> stages, core::InstrumentFilters filters) {
  auto& init = self->state;
  init.deps = std::move(deps);
  init.rec = std::move(record);
  init.filters = filters;
  init.trailing_backoff = core::RetryBackoff(init.deps.settings->retry_first, init.deps.settings->retry_max);
  init.stage_backoff = init.trailing_backoff;
  init.last_mark = init.rec.position.entry;
  for (const auto& s : stages) {
    if (s.state == storage::StageState::done) init.book.record(s.stage, s.at);
    if (s.state == storage::StageState::pending) init.pending_intents.push_back(s);
    if (s.state == storage::StageState::failed) init.book.record_failure(s.stage, s.attempt);
  }
  if (!init.pending_intents.empty()) {
    init.in_flight = true;  // until resolved: every request answers in_progress, ticks wait
    self->send(self, recover_atom_v);
  }
  publish_band(self);
  return {
      [=](tick_atom, const core::PriceTick& tick) { evaluate_tick(self, tick); },
      [=](recover_atom) { recover_next(self); },
      [=](execute_atom, const ExecuteRequest& req) -> caf::result<ExecuteReply> {
        auto& st = self->state;
        const auto& settings = *st.deps.settings;
        const core::Price mark = req.price.value_or(st.last_mark);
        if (req.price) st.last_mark = *req.price;
        ExecuteReply reply{st.rec.position.key, req.caller, {}, req.stage, core::r_multiple(st.rec.position, mark)};
        if (st.draining) {
          reply.outcome = Outcome{OutcomeKind::failed, core::Reason::shutting_down};
          return reply;
        }
        if (st.awaiting_reconcile && !st.in_flight) {  // nothing is sent until the reconcile has looked
          remind_reconcile(self);
          reply.outcome = Outcome{OutcomeKind::failed, core::Reason::unavailable, "",
                                  "waiting for a reconcile: the exchange said the position is gone or smaller"};
          count(self, req.caller, reply.outcome.kind);
          return reply;
        }
        const auto arb = core::arbitrate(st.rec.position, st.book, core::Request{req.caller, req.stage, mark},
                                         st.in_flight, settings.observe, core::Clock::now(), settings.dedupe_window,
                                         st.filters, settings.plan);
        if (arb.answer) {
          reply.outcome = *arb.answer;
          if (!reply.stage && !arb.execute.empty()) reply.stage = arb.execute.back().stage;
          if (arb.answer->kind == OutcomeKind::observe_only)
            log_observed(self, req.caller, arb.execute, arb.decision.r, /*once=*/false);
          else if (arb.answer->kind != OutcomeKind::not_due)
            spdlog::debug("[{}] {} R={} {}", core::to_string(req.caller), who(self), reply.r.str(2), reply.outcome.str());
          count(self, req.caller, reply.outcome.kind);
          return reply;
        }
        reply.stage = arb.execute.back().stage;
        auto promise = self->make_response_promise<ExecuteReply>();
        st.in_flight = true;
        run_stages(self, arb.execute, 0, req.caller, mark, [=](Outcome o) mutable {
          ExecuteReply r = reply;
          r.outcome = o;
          count(self, req.caller, o.kind);
          promise.deliver(r);
          after_flight(self);
        });
        return promise;
      },
      [=](status_atom) {
        auto& st = self->state;
        auto promise = self->make_response_promise<PositionStatus>();
        PositionStatus status{st.rec, {}, st.last_mark, st.filters};
        self->request(st.deps.persistence, caf::infinite, load_atom_v, st.rec.position.key)
            .then(
                [=](const std::optional<storage::PositionRecord>&, std::vector<storage::StageRecord> recorded) mutable {
                  PositionStatus s = status;
                  s.stages = std::move(recorded);
                  promise.deliver(s);
                },
                [=](caf::error&) mutable { promise.deliver(status); });
        return promise;
      },
      [=](drain_atom) -> caf::result<bool> {
        auto& st = self->state;
        st.draining = true;
        if (!st.in_flight) return true;
        auto promise = self->make_response_promise<bool>();
        st.drain_waiters.push_back(promise);
        return promise;
      },
      [=](idle_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (!st.in_flight) return true;
        auto promise = self->make_response_promise<bool>();
        st.idle_waiters.push_back(promise);
        return promise;
      },
      [=](poll_atom) { stage_timer(self); },
      [=](check_atom, const SlotSnapshot& snap) { check_slot(self, snap); },
  };
}

}  // namespace position_parts

position_actor spawn_position(caf::actor_system& sys, PositionDeps deps, storage::PositionRecord record,
                              std::vector<storage::StageRecord> stages, core::InstrumentFilters filters) {
  return sys.spawn(position_parts::position, std::move(deps), std::move(record), std::move(stages), filters);
}

}  // namespace ptp::actors
