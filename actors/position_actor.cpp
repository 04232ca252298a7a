// The position actor: owns one open position and is the only place its stages execute. It is the
// lock: while a stage is in flight every other request gets `in_progress` at once, and ticks that
// arrive meanwhile are conflated to the latest, evaluated when the stage is done.
//
// A stage execution: durable intent -> reduce-only close -> new stop -> cancel old stop ->
// resize the extreme take-profit -> durable result (with the position it left, one transaction).
// The new stop is placed before the old one is cancelled, so the position is never unprotected.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <deque>
#include <set>

#include "actors/error_text.hpp"
#include "actors/spawn.hpp"
#include "core/client_order_id.hpp"
#include "core/decision.hpp"
#include "core/quiet_band.hpp"

namespace ptp::actors {
namespace {

using core::Outcome;
using core::OutcomeKind;
using Op = OrderRequest::Op;

struct position_state {
  PositionDeps deps;
  storage::PositionRecord rec;
  core::StageBook book;
  core::InstrumentFilters filters;
  bool in_flight = false;
  std::optional<core::PriceTick> pending_tick;  // the latest tick that arrived while in flight
  core::Price last_mark;
  std::set<std::uint8_t> observed;  // observe mode: stages already logged as due
  bool draining = false;  // shutting down: no new stage starts
  std::shared_ptr<struct StageRun> unfilled;  // a stage whose close was accepted but has not filled
  int fill_polls = 0;
  std::vector<caf::typed_response_promise<bool>> drain_waiters;  // answered when the flight ends
  std::vector<caf::typed_response_promise<bool>> idle_waiters;   // answered when nothing is in flight
  std::deque<storage::StageRecord> pending_intents;  // left by a run that stopped mid-stage, resolved first
  // When the last flight ended (steady clock): an exchange snapshot asked for before it shows the
  // position as it was before that flight, so reconciling against it would undo the flight.
  std::int64_t changed_ns = 0;
  std::function<void()> unrecorded;  // a stage result storage refused, tried again on finish_atom
  static inline const char* name = "position";
};

using self_ptr = position_actor::stateful_pointer<position_state>;
using Done = std::function<void(Outcome)>;

const core::Position& pos(self_ptr self) { return self->state.rec.position; }
std::string who(self_ptr self) { return pos(self).key.str(); }

std::string stop_label(self_ptr self, core::Price stop) {
  const core::Ratio r = core::r_multiple(pos(self), stop);
  if (r.is_zero()) return stop.str() + " (breakeven)";
  return fmt::format("{} ({}{}R)", stop.str(), r.is_positive() ? "+" : "", r.str(2));
}

void count(self_ptr self, core::Caller caller, OutcomeKind kind) {
  self->send(self->state.deps.metrics, outcome_atom_v, caller, kind);
}

Outcome recorded_outcome(self_ptr self, const storage::StageRecord& existing) {
  const bool recent = core::Clock::now() - existing.at < self->state.deps.settings->dedupe_window;
  return Outcome{recent ? OutcomeKind::recently_executed : OutcomeKind::already_executed, {}};
}

void evaluate_tick(self_ptr self, const core::PriceTick& tick);

// Tells market data which prices can matter now; it also acknowledges the last tick received.
void publish_band(self_ptr self) {
  auto& st = self->state;
  const auto band = st.draining ? core::QuietBand::never()
                                : core::quiet_band(st.rec.position, st.book.executed(), st.deps.settings->plan);
  self->send(st.deps.market_data, band_atom_v, st.rec.position.key.symbol, position_actor{self}, band.lower, band.upper);
}

// Everything one stage execution carries from step to step.
struct StageRun {
  core::StageAction action;
  storage::StageRecord record;       // the intent, completed step by step
  storage::PositionRecord after;     // the position as it will be when the stage is done
  std::vector<std::string> notes;    // what went wrong without failing the stage (kept stop, ...)
  Done done;
  // Recovering an intent a previous run left pending: every order is looked up by its client id
  // before it is sent (the first run may have sent it), so nothing goes out twice.
  bool resumed = false;
};
using RunPtr = std::shared_ptr<StageRun>;

constexpr auto kRecordRetry = std::chrono::seconds(2);

// Commits a stage's result with the position it left. Storage that refuses it (a full disk) does
// not end the flight: what the exchange did is known only here, so the commit is retried every
// kRecordRetry and, meanwhile, every caller gets in_progress and nothing else runs on the position.
void record_result(self_ptr self, RunPtr run, Outcome outcome, storage::PositionRecord after, int attempt) {
  const auto& before = self->state;
  self->request(before.deps.persistence, caf::infinite, finish_atom_v, run->record, after)
      .then(
          [=](bool) {
            auto& st = self->state;
            const std::string caller(core::to_string(run->record.caller));
            if (outcome.kind == OutcomeKind::failed) {
              spdlog::error("[{}] {} {} failed: {} (not executed; retryable)", caller, who(self), run->action.stage.str(),
                            outcome.reason);
            } else {
              const core::Price old_stop = st.rec.position.current_stop;
              st.rec = after;
              st.book.record(run->action.stage, run->record.at);
              std::string what = run->record.closed_qty.is_positive()
                                     ? fmt::format("closed {} of {} @ {}", run->record.closed_qty.str(),
                                                   after.position.original_size.str(), run->record.fill_price.str())
                                 : run->action.skip ? fmt::format("close skipped ({})", core::to_string(*run->action.skip))
                                                    : std::string("nothing to close");
              std::string stop = after.position.current_stop != old_stop
                                     ? fmt::format("stop {} -> {}", old_stop.str(), stop_label(self, after.position.current_stop))
                                     : fmt::format("stop stays {}", old_stop.str());
              std::string tp = run->record.tp_client_id.empty() || !run->action.take_profit_price
                                   ? std::string()
                                   : fmt::format(", take-profit {} x {}", run->action.take_profit_price->str(),
                                                 after.position.remaining_size.str());
              spdlog::info("[{}] {} R={} {} {}: {}, {}{}, remaining {}{}", caller, who(self),
                           core::r_multiple(after.position, run->record.mark).str(2), run->action.stage.str(),
                           outcome.str(), what, stop, tp, after.position.remaining_size.str(),
                           run->notes.empty() ? "" : " [" + fmt::format("{}", fmt::join(run->notes, "; ")) + "]");
            }
            run->done(outcome);
          },
          [=](caf::error& e) {
            if (attempt == 0 || attempt % 30 == 0)
              spdlog::critical("[{}] {} {} ({}): its result could not be recorded ({}); the stage stays in flight "
                               "and the record is tried again every {} s",
                               core::to_string(run->record.caller), who(self), run->action.stage.str(), outcome.str(),
                               describe(e), kRecordRetry.count());
            self->state.unrecorded = [=] { record_result(self, run, outcome, after, attempt + 1); };
            self->delayed_send(self, kRecordRetry, finish_atom_v);
          });
}

void finish_stage(self_ptr self, RunPtr run, Outcome outcome) {
  run->record.state = outcome.kind == OutcomeKind::failed ? storage::StageState::failed : storage::StageState::done;
  run->record.outcome = outcome;
  run->record.at = core::Clock::now();
  record_result(self, run, outcome, outcome.kind == OutcomeKind::failed ? self->state.rec : run->after, 0);
}

// The exchange actor itself did not answer: nothing is known to have been sent.
OrderReply unavailable(const caf::error& e) {
  OrderReply rep;
  rep.error = exchange::ExchangeError::Kind::unavailable;
  rep.reason = "unavailable " + describe(e);
  return rep;
}

// Sends one order; a timeout or a duplicate client id is an unknown outcome, resolved by asking
// the exchange for the client id before anything else happens.
void send_order(self_ptr self, OrderRequest req, std::function<void(OrderReply)> k) {
  auto exchange = self->state.deps.exchange;
  self->request(exchange, caf::infinite, order_atom_v, req)
      .then(
          [=](OrderReply rep) {
            using Kind = exchange::ExchangeError::Kind;
            if (rep.ok || !rep.error || (*rep.error != Kind::timeout && *rep.error != Kind::duplicate_client_id)) {
              k(rep);
              return;
            }
            OrderRequest q{Op::query, req.symbol, req.side, {}, {}, req.client_id, {}};
            self->request(exchange, caf::infinite, order_atom_v, q)
                .then(
                    [=](OrderReply found) {
                      if (found.ok && found.found) {
                        spdlog::warn("[exchange] {} order {} had an unknown outcome ({}); the exchange has it: {}",
                                     who(self), req.client_id, rep.reason, core::to_string(found.state.status));
                        found.reason.clear();
                        k(found);
                      } else {
                        k(rep);  // not placed: a retry reuses the same client id
                      }
                    },
                    [=](caf::error&) { k(rep); });
          },
          [=](caf::error& e) { k(unavailable(e)); });
}

// Sends `req` only if the exchange does not already have its client id (recovery: a crashed run
// may have sent it; a filled order's id can be reused on Binance, so a duplicate error is no
// guarantee). A failed lookup sends nothing: the outcome stays unknown.
void place_once(self_ptr self, OrderRequest req, std::function<void(OrderReply)> k) {
  OrderRequest q{Op::query, req.symbol, req.side, {}, {}, req.client_id, {}};
  self->request(self->state.deps.exchange, caf::infinite, order_atom_v, q)
      .then(
          [=](OrderReply found) {
            if (!found.ok) {
              k(found);
            } else if (found.found && found.state.status != core::OrderStatus::rejected) {
              spdlog::warn("[recovery] {} order {} was sent before the restart: {}", who(self), req.client_id,
                           core::to_string(found.state.status));
              k(found);
            } else {
              send_order(self, req, k);
            }
          },
          [=](caf::error& e) { k(unavailable(e)); });
}

// Places `order` (looked up first when `resumed`), then cancels `old` (if any): the replacement is
// on the exchange before the old order goes, so the position is never without it. `k` gets the
// placement's reply and, when the old order could not be cancelled, why.
void replace_order(self_ptr self, OrderRequest order, core::OrderRef old, bool resumed,
                   std::function<void(const OrderReply& placed, const std::string& cancel_error)> k) {
  auto place = resumed ? place_once : send_order;
  place(self, order, [=](OrderReply placed) {
    if (!placed.ok || old.empty()) {
      k(placed, {});
      return;
    }
    send_order(self, OrderRequest{Op::cancel, order.symbol, order.side, {}, {}, {}, old},
               [=](OrderReply c) { k(placed, c.ok ? std::string() : c.reason); });
  });
}

// How a stage that got past its close ends: skipped (with the reason) or success.
Outcome completed(const StageRun& run) {
  return run.action.skip ? Outcome{OutcomeKind::skipped, std::string(core::to_string(*run.action.skip))}
                         : Outcome{OutcomeKind::success, {}};
}

void take_profit_step(self_ptr self, RunPtr run) {
  const core::Position& p = run->after.position;
  if (!run->action.take_profit_price || !p.remaining_size.is_positive()) {
    finish_stage(self, run, completed(*run));
    return;
  }
  OrderRequest tp{Op::take_profit, p.key.symbol, p.side(), p.remaining_size, *run->action.take_profit_price,
                  run->record.tp_client_id, {}};
  replace_order(self, tp, run->after.tp_order, run->resumed, [=](const OrderReply& rep, const std::string& cancel_error) {
    if (!rep.ok) {
      run->notes.push_back("take-profit resize failed: " + rep.reason + "; the previous one stays");
      run->record.tp_client_id.clear();
    } else {
      run->after.tp_order = rep.state.ref;
      if (!cancel_error.empty()) run->notes.push_back("old take-profit cancel: " + cancel_error);
    }
    finish_stage(self, run, completed(*run));
  });
}

void stop_step(self_ptr self, RunPtr run) {
  const core::Position& p = run->after.position;
  if (!p.remaining_size.is_positive()) {
    // Flat: the exchange cancels reduce-only orders; nothing is left to protect.
    run->after.open = false;
    run->after.closed_at = core::Clock::now();
    finish_stage(self, run, completed(*run));
    return;
  }
  if (!run->action.new_stop) {
    take_profit_step(self, run);
    return;
  }
  const core::Price stop = run->action.new_stop->price;
  OrderRequest req{Op::stop, p.key.symbol, p.side(), p.remaining_size, stop, run->record.stop_client_id, {}};
  replace_order(self, req, run->after.stop_order, run->resumed, [=](const OrderReply& rep, const std::string& cancel_error) {
    if (!rep.ok) {
      // The old stop is still on the exchange: the position stays protected at the old level.
      run->notes.push_back("new stop " + stop.str() + " failed: " + rep.reason + "; the old stop stays");
      run->record.new_stop.reset();
    } else {
      run->after.stop_order = rep.state.ref;
      run->after.position.current_stop = stop;
      if (!cancel_error.empty()) run->notes.push_back("old stop cancel: " + cancel_error);
    }
    take_profit_step(self, run);
  });
}

constexpr auto kFillPollInterval = std::chrono::milliseconds(100);
constexpr int kFillPolls = 100;  // then the close is asked about every kSlowFillPollInterval
constexpr auto kSlowFillPollInterval = std::chrono::seconds(2);

void close_filled(self_ptr self, RunPtr run, const core::OrderState& fill) {
  run->record.closed_qty = fill.filled_qty;
  run->record.fill_price = fill.avg_fill_price;
  run->after.position.remaining_size -= fill.filled_qty;
  if (fill.filled_qty != run->action.close_qty)
    run->notes.push_back("filled " + fill.filled_qty.str() + " of " + run->action.close_qty.str());
  stop_step(self, run);
}

void poll_close(self_ptr self, RunPtr run) {
  auto& st = self->state;
  st.unfilled = run;
  st.fill_polls = 0;
  self->delayed_send(self, kFillPollInterval, poll_atom_v);
}

// Where a close the exchange accepted goes next, from its state. Filled: the stop moves. Ended
// (canceled, expired) with part of it filled: the stage goes on with what was closed, so a retry
// can never close that part again. Ended with nothing filled: the stage failed and nothing was
// sold. Still open: asked again until it ends; nothing else happens on the position meanwhile.
void close_state(self_ptr self, RunPtr run, const core::OrderState& state) {
  using S = core::OrderStatus;
  if (state.status == S::filled) {
    close_filled(self, run, state);
  } else if (state.status == S::canceled || state.status == S::rejected) {
    if (state.filled_qty.is_positive()) {
      spdlog::warn("[exchange] {} close {} ended {} with {} of {} filled; the stage goes on with that", who(self),
                   run->record.close_client_id, core::to_string(state.status), state.filled_qty.str(), state.qty.str());
      close_filled(self, run, state);
    } else {
      finish_stage(self, run, Outcome{OutcomeKind::failed, std::string("close ") + std::string(core::to_string(state.status)) +
                                                               " with nothing filled"});
    }
  } else {
    poll_close(self, run);
  }
}

void close_step(self_ptr self, RunPtr run) {
  const core::Position& p = self->state.rec.position;
  if (!run->action.close_qty.is_positive()) {
    stop_step(self, run);
    return;
  }
  OrderRequest req{Op::close, p.key.symbol, p.side(), run->action.close_qty, {}, run->record.close_client_id, {}};
  send_order(self, req, [=](OrderReply rep) {
    if (!rep.ok) {
      finish_stage(self, run, Outcome{OutcomeKind::failed, rep.reason});
      return;
    }
    close_state(self, run, rep.state);
  });
}

// A close that has not ended is never given up on: while the exchange has it open (or cannot be
// asked), giving up would let a retry send a second close beside it.
void poll_fill(self_ptr self) {
  auto run = self->state.unfilled;
  if (!run) return;
  const core::Position& p = self->state.rec.position;
  OrderRequest q{Op::query, p.key.symbol, p.side(), {}, {}, run->record.close_client_id, {}};
  send_order(self, q, [=](OrderReply rep) {
    auto& st = self->state;
    if (rep.ok && rep.found && rep.state.status != core::OrderStatus::open &&
        rep.state.status != core::OrderStatus::partially_filled) {
      st.unfilled.reset();
      close_state(self, run, rep.state);
      return;
    }
    if (++st.fill_polls == kFillPolls)
      spdlog::warn("[exchange] {} close {} has not ended after {} queries ({}); asking every {} s, the stage stays in "
                   "flight",
                   who(self), run->record.close_client_id, kFillPolls,
                   rep.ok ? std::string(core::to_string(rep.state.status)) : rep.reason, kSlowFillPollInterval.count());
    self->delayed_send(self, st.fill_polls < kFillPolls ? std::chrono::milliseconds(kFillPollInterval)
                                                        : std::chrono::milliseconds(kSlowFillPollInterval),
                       poll_atom_v);
  });
}

void run_stage(self_ptr self, const core::StageAction& action, core::Caller caller, core::Price mark, Done done) {
  auto& st = self->state;
  const core::PositionKey& key = st.rec.position.key;
  auto run = std::make_shared<StageRun>();
  run->action = action;
  run->after = st.rec;
  run->done = std::move(done);
  storage::StageRecord& r = run->record;
  r.key = key;
  r.stage = action.stage;
  r.caller = caller;
  r.at = core::Clock::now();
  r.mark = mark;
  r.planned_qty = action.close_qty;
  r.new_stop = action.new_stop ? std::optional<core::Price>(action.new_stop->price) : std::nullopt;
  r.close_client_id = core::client_order_id(key, action.stage, core::OrderStep::close);
  r.stop_client_id = core::client_order_id(key, action.stage, core::OrderStep::stop);
  r.tp_client_id = core::client_order_id(key, action.stage, core::OrderStep::take_profit);
  // The intent is durable before any order goes out; the store refuses a second one per stage.
  self->request(st.deps.persistence, caf::infinite, begin_atom_v, r)
      .then(
          [=](BeginReply b) {
            if (!b.started) {
              self->state.book.record(action.stage, b.existing->at);
              if (b.existing->state == storage::StageState::pending) {
                spdlog::error("[{}] {} {} has an unfinished intent from {} (a crash mid-stage?); not sending it "
                              "again until it is resolved",
                              core::to_string(caller), who(self), action.stage.str(),
                              core::to_string(b.existing->caller));
                run->done(Outcome{OutcomeKind::failed, "unresolved_intent"});
                return;
              }
              run->done(recorded_outcome(self, *b.existing));
              return;
            }
            close_step(self, run);
          },
          [=](caf::error& e) {
            spdlog::error("[{}] {} {}: the intent could not be recorded ({}); no order sent", core::to_string(caller),
                          who(self), action.stage.str(), describe(e));
            run->done(Outcome{OutcomeKind::failed, "storage"});
          });
}

// Runs the due stages in order; stops at the first that does not succeed. Reports the outcome of
// the last stage run (the requested one) or of the one that stopped the run.
void run_stages(self_ptr self, std::vector<core::StageAction> actions, std::size_t i, core::Caller caller,
                core::Price mark, Done done) {
  run_stage(self, actions[i], caller, mark, [=](Outcome o) {
    const bool go_on = o.kind == OutcomeKind::success || o.kind == OutcomeKind::skipped;
    if (go_on && i + 1 < actions.size()) {
      run_stages(self, actions, i + 1, caller, mark, done);
      return;
    }
    done(o);
  });
}

void after_flight(self_ptr self) {
  auto& st = self->state;
  st.in_flight = false;
  st.changed_ns = core::steady_now_ns();
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

// A trailing-stop move: new stop first, then cancel the old one. The flight ends once the
// position record is saved, so the next move starts from the stop (and order number) just placed.
constexpr auto kRecoveryRetry = std::chrono::seconds(2);

// Resolves the oldest intent a previous run left pending (it stopped between the intent and the
// result). The exchange is asked by client id before anything is sent: a close it has is finished
// from there (stop, take-profit, each also looked up first); a close it never got means the stage
// did not happen and is recorded failed, so the next request decides afresh. While the exchange
// cannot be asked, the stage stays pending and in flight: nothing else runs on the position.
void recover_next(self_ptr self) {
  auto& st = self->state;
  if (st.pending_intents.empty()) {
    after_flight(self);
    return;
  }
  st.in_flight = true;
  const storage::StageRecord intent = st.pending_intents.front();
  const core::Position& p = st.rec.position;
  auto run = std::make_shared<StageRun>();
  run->resumed = true;
  run->record = intent;
  run->after = st.rec;
  run->action.stage = intent.stage;
  run->action.close_qty = intent.planned_qty;
  run->action.remaining_after = p.remaining_size - intent.planned_qty;
  if (intent.new_stop) run->action.new_stop = core::StopPrice{*intent.new_stop, false};
  if (!intent.tp_client_id.empty())
    run->action.take_profit_price = core::extreme_take_profit(p, st.deps.settings->plan, st.filters);
  run->done = [=](Outcome o) {
    count(self, intent.caller, o.kind);
    self->state.pending_intents.pop_front();
    recover_next(self);
  };
  spdlog::warn("[recovery] {} {}: an intent from {} was left pending (the node stopped mid-stage); asking the "
               "exchange what happened before sending anything",
               who(self), intent.stage.str(), core::to_string(intent.caller));
  if (!intent.planned_qty.is_positive()) {
    stop_step(self, run);
    return;
  }
  OrderRequest q{Op::query, p.key.symbol, p.side(), {}, {}, intent.close_client_id, {}};
  self->request(st.deps.exchange, caf::infinite, order_atom_v, q)
      .then(
          [=](OrderReply rep) {
            if (!rep.ok) {
              spdlog::error("[recovery] {} {}: cannot ask the exchange ({}); the stage stays pending, asking again "
                            "in {} s",
                            who(self), intent.stage.str(), rep.reason, kRecoveryRetry.count());
              self->delayed_send(self, kRecoveryRetry, recover_atom_v);
              return;
            }
            if (!rep.found || rep.state.status == core::OrderStatus::rejected) {
              finish_stage(self, run, Outcome{OutcomeKind::failed, "intent_not_sent: the close never reached the exchange"});
              return;
            }
            spdlog::warn("[recovery] {} {}: the close {} reached the exchange ({}); finishing the stage", who(self),
                         intent.stage.str(), intent.close_client_id, core::to_string(rep.state.status));
            close_state(self, run, rep.state);
          },
          [=](caf::error& e) {
            spdlog::error("[recovery] {}: {}; asking again in {} s", who(self), describe(e), kRecoveryRetry.count());
            self->delayed_send(self, kRecoveryRetry, recover_atom_v);
          });
}

void move_trailing_stop(self_ptr self, core::StopPrice stop, core::Price best) {
  auto& st = self->state;
  st.in_flight = true;
  auto after = std::make_shared<storage::PositionRecord>(st.rec);
  after->order_seq += 1;
  after->position.trail_best = best;
  const core::Position& p = after->position;
  core::StageId trail_stage{0};
  for (const auto& s : st.deps.settings->plan.stages)
    if (s.trail_r && st.book.contains(s.id)) trail_stage = s.id;
  const std::string id = core::client_order_id(p.key, trail_stage, core::OrderStep::stop, after->order_seq);
  OrderRequest req{Op::stop, p.key.symbol, p.side(), p.remaining_size, stop.price, id, {}};
  replace_order(self, req, after->stop_order, /*resumed=*/false, [=](const OrderReply& rep, const std::string& cancel_error) {
    if (!rep.ok) {
      spdlog::warn("[market] {} trailing stop {} failed: {}; the stop stays {}", who(self), stop.price.str(), rep.reason,
                   self->state.rec.position.current_stop.str());
      after_flight(self);
      return;
    }
    if (!cancel_error.empty()) spdlog::warn("[market] {} old stop cancel: {}", who(self), cancel_error);
    const core::Price old_price = after->position.current_stop;
    after->stop_order = rep.state.ref;
    after->position.current_stop = stop.price;
    spdlog::info("[market] {} trailing stop {} -> {} (best {})", who(self), old_price.str(), stop_label(self, stop.price),
                 best.str());
    auto done = [=] {
      self->state.rec = *after;
      after_flight(self);
    };
    self->request(self->state.deps.persistence, caf::infinite, save_atom_v, *after)
        .then([=](bool) { done(); },
              [=](caf::error& e) {
                spdlog::error("[market] {} trailing stop placed on the exchange but not saved: {}", who(self),
                              describe(e));
                done();
              });
  });
}

// ---- reconciliation: the exchange's view of the slot against the record ----

bool same_order(const core::OrderRef& a, const core::OrderRef& b) {
  if (!a.client_id.empty() && !b.client_id.empty()) return a.client_id == b.client_id;
  return !a.exchange_id.empty() && a.exchange_id == b.exchange_id;
}

std::optional<core::OrderState> find_order(const std::vector<core::OrderState>& orders, const core::OrderRef& ref,
                                           core::OrderKind kind) {
  if (ref.empty()) return std::nullopt;
  for (const auto& o : orders)
    if (o.kind == kind && same_order(o.ref, ref)) return o;
  return std::nullopt;
}

// What one reconcile found wrong and repairs, in this order: the stop (placed before the old one
// is cancelled), the take-profit, then the leftovers.
struct Repair {
  storage::PositionRecord after;
  std::optional<core::Price> stop;         // replace the stop with one at this price
  std::optional<core::OrderState> old_stop;  // the record's stop as the exchange has it (cancelled after)
  std::optional<core::Price> take_profit;
  std::optional<core::OrderState> old_take_profit;
  std::vector<core::OrderState> leftovers;  // cancelled once the stop is right
  bool record_changed = false;              // the record now names a stop it had lost
};
using RepairPtr = std::shared_ptr<Repair>;

// The flight ends once the record is saved (or could not be): the next reconcile starts from it.
void finish_repair(self_ptr self, RepairPtr rep) {
  self->state.rec = rep->after;  // what the exchange now has, saved or not
  self->request(self->state.deps.persistence, caf::infinite, save_atom_v, rep->after)
      .then([=](bool) { after_flight(self); },
            [=](caf::error& e) {
              spdlog::error("[reconcile] {} repair not saved: {}", who(self), describe(e));
              after_flight(self);
            });
}

void cancel_leftovers(self_ptr self, RepairPtr rep, std::size_t i) {
  if (i >= rep->leftovers.size()) {
    finish_repair(self, rep);
    return;
  }
  const core::OrderState o = rep->leftovers[i];
  send_order(self, OrderRequest{Op::cancel, o.symbol, o.position_side, {}, {}, {}, o.ref}, [=](OrderReply c) {
    if (c.ok)
      spdlog::warn("[reconcile] {} cancelled the leftover {} {} ({})", who(self), core::to_string(o.kind),
                   o.trigger_price.str(), o.ref.str());
    else
      spdlog::error("[reconcile] {} leftover {} {} not cancelled: {}", who(self), core::to_string(o.kind), o.ref.str(),
                    c.reason);
    cancel_leftovers(self, rep, i + 1);
  });
}

// Places the repair's stop or take-profit at `price` for the remaining size under a fresh client id,
// then cancels `old` (the order it replaces), if the exchange still has one.
void replace_for_repair(self_ptr self, RepairPtr rep, core::OrderStep step, core::Price price,
                        const std::optional<core::OrderState>& old,
                        std::function<void(const OrderReply& placed, const std::string& cancel_error)> k) {
  const core::Position& p = rep->after.position;
  rep->after.order_seq += 1;
  const std::string id = core::client_order_id(p.key, core::StageId{0}, step, rep->after.order_seq);
  OrderRequest req{step == core::OrderStep::stop ? Op::stop : Op::take_profit, p.key.symbol, p.side(),
                   p.remaining_size, price, id, {}};
  replace_order(self, req, old ? old->ref : core::OrderRef{}, /*resumed=*/false, std::move(k));
}

void repair_take_profit(self_ptr self, RepairPtr rep) {
  if (!rep->take_profit) {
    cancel_leftovers(self, rep, 0);
    return;
  }
  replace_for_repair(self, rep, core::OrderStep::take_profit, *rep->take_profit, rep->old_take_profit,
                     [=](const OrderReply& r, const std::string& cancel_error) {
    if (!r.ok) {
      spdlog::error("[reconcile] {} take-profit {} x {} not placed: {}", who(self), rep->take_profit->str(),
                    rep->after.position.remaining_size.str(), r.reason);
    } else {
      if (rep->old_take_profit || !rep->after.tp_order.empty())
        spdlog::warn("[reconcile] {} take-profit set to {} x {}{}", who(self), rep->take_profit->str(),
                     rep->after.position.remaining_size.str(), cancel_error.empty() ? "" : "; old one: " + cancel_error);
      else
        spdlog::info("[reconcile] {} extreme take-profit placed at {} x {}", who(self), rep->take_profit->str(),
                     rep->after.position.remaining_size.str());
      rep->after.tp_order = r.state.ref;
    }
    cancel_leftovers(self, rep, 0);
  });
}

void repair_stop(self_ptr self, RepairPtr rep) {
  if (!rep->stop) {
    repair_take_profit(self, rep);
    return;
  }
  replace_for_repair(self, rep, core::OrderStep::stop, *rep->stop, rep->old_stop,
                     [=](const OrderReply& r, const std::string& cancel_error) {
    if (!r.ok) {
      spdlog::critical("[reconcile] {} stop {} x {} not placed: {}; asking again at the next health check{}",
                       who(self), rep->stop->str(), rep->after.position.remaining_size.str(), r.reason,
                       rep->old_stop ? "; the old stop stays" : " (THE POSITION HAS NO STOP)");
      std::erase_if(rep->leftovers, [](const core::OrderState& o) { return o.kind == core::OrderKind::stop; });
    } else {
      if (rep->after.stop_order.empty())
        spdlog::info("[reconcile] {} stop placed at {} x {}", who(self), stop_label(self, *rep->stop),
                     rep->after.position.remaining_size.str());
      else
        spdlog::warn("[reconcile] {} stop restored at {} x {}{}", who(self), stop_label(self, *rep->stop),
                     rep->after.position.remaining_size.str(), cancel_error.empty() ? "" : "; old stop: " + cancel_error);
      rep->after.stop_order = r.state.ref;
      rep->after.position.current_stop = *rep->stop;
    }
    repair_take_profit(self, rep);
  });
}

// Compares the exchange's slot with the record (skipped while a flight runs, and for a snapshot
// asked for before the last flight ended: it would undo that flight). An outside size change is
// adopted; a stop that is missing, at a level the done stages have moved past, or for another size
// is replaced; so is the take-profit; a stop or take-profit the node placed that is no longer the
// current one, and a stop looser than the current one, are cancelled.
void check_slot(self_ptr self, const SlotSnapshot& snap) {
  auto& st = self->state;
  if (st.in_flight || st.draining) return;
  if (snap.taken_ns <= st.changed_ns) {
    spdlog::debug("[reconcile] {}: snapshot older than the last change; next time", who(self));
    return;
  }
  const core::Position& p = st.rec.position;
  bool resized = false;
  if (snap.size != p.remaining_size) {
    spdlog::warn("[reconcile] {} size changed outside the node: {} -> {}; adopting the exchange's size", who(self),
                 p.remaining_size.str(), snap.size.str());
    st.rec.position.remaining_size = snap.size;
    resized = true;
    publish_band(self);
  }
  const auto& settings = *st.deps.settings;
  auto rep = std::make_shared<Repair>();
  rep->after = st.rec;
  if (snap.size.is_positive() && !settings.observe) {
    const core::Qty size = snap.size;
    const core::Price want = core::owed_stop(p, st.book.executed(), st.last_mark, st.filters, settings.plan);
    rep->old_stop = find_order(snap.orders, st.rec.stop_order, core::OrderKind::stop);
    if (!rep->old_stop && st.rec.stop_order.empty()) {
      rep->stop = want;  // adopted without one: the default stop ("stop placed at ..." says so)
    } else if (!rep->old_stop) {
      // A stop the node placed whose record was lost (storage failed before a crash) may be there,
      // as tight as the record calls for or tighter (a trailing move): that one is the stop.
      std::optional<core::OrderState> found;
      for (const auto& o : snap.orders)
        if (o.kind == core::OrderKind::stop && core::placed_for(p.key, o.ref.client_id) &&
            (o.qty == size || o.qty.is_zero()) && !core::tighter_stop(p.side(), want, o.trigger_price) &&
            (!found || core::tighter_stop(p.side(), o.trigger_price, found->trigger_price)))
          found = o;
      if (found) {
        spdlog::warn("[reconcile] {} the record's stop {} is gone; the node's stop {} at {} is on the exchange: "
                     "keeping it",
                     who(self), st.rec.stop_order.str(), found->ref.str(), found->trigger_price.str());
        rep->old_stop = found;
        rep->after.stop_order = found->ref;
        rep->after.position.current_stop = found->trigger_price;
        rep->record_changed = true;
      } else {
        spdlog::critical("[reconcile] {} has no stop on the exchange (the record's {} is gone): placing {} now",
                         who(self), st.rec.stop_order.str(), want.str());
        rep->stop = want;
      }
    } else if (rep->old_stop->trigger_price != want ||
               !(rep->old_stop->qty == size || rep->old_stop->qty.is_zero())) {  // zero: closePosition, all of it
      spdlog::warn("[reconcile] {} stop on the exchange is {} x {}; the record calls for {} x {}: replacing it",
                   who(self), rep->old_stop->trigger_price.str(), rep->old_stop->qty.str(), want.str(), size.str());
      rep->stop = want;
    }
    if (auto tp = core::extreme_take_profit(p, settings.plan, st.filters)) {
      // The user's own take-profit, adopted with the position, is theirs to size and price.
      rep->old_take_profit = find_order(snap.orders, st.rec.tp_order, core::OrderKind::take_profit);
      const bool users = rep->old_take_profit && !core::placed_for(p.key, rep->old_take_profit->ref.client_id);
      if (!rep->old_take_profit || (!users && (rep->old_take_profit->trigger_price != *tp || rep->old_take_profit->qty != size)))
        rep->take_profit = tp;
    }
    for (const auto& o : snap.orders) {
      const bool current = (rep->old_stop && same_order(o.ref, rep->old_stop->ref)) ||
                           (rep->old_take_profit && same_order(o.ref, rep->old_take_profit->ref));
      if (current) continue;
      const bool ours = core::placed_for(p.key, o.ref.client_id);
      const bool looser_stop = o.kind == core::OrderKind::stop && !core::tighter_stop(p.side(), o.trigger_price, want);
      if (ours || looser_stop) rep->leftovers.push_back(o);
    }
  }
  if (!rep->stop && !rep->take_profit && rep->leftovers.empty()) {
    if (resized || rep->record_changed) {
      st.rec = rep->after;
      self->request(st.deps.persistence, caf::infinite, save_atom_v, st.rec)
          .then([](bool) {}, [=](caf::error& e) { spdlog::error("[reconcile] {} record not saved: {}", who(self), describe(e)); });
    }
    return;
  }
  st.in_flight = true;
  repair_stop(self, rep);
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
  auto& st = self->state;
  st.last_mark = tick.price;
  if (st.draining) return;
  if (st.in_flight) {
    st.pending_tick = tick;  // conflated: the latest price is what matters when the stage is done
    return;
  }
  const auto& settings = *st.deps.settings;
  core::Request req{core::Caller::market, std::nullopt, tick.price};
  const auto arb = core::arbitrate(st.rec.position, st.book, req, false, settings.observe, core::Clock::now(),
                                   settings.dedupe_window, st.filters, settings.plan);
  if (tick.received_ns) self->send(st.deps.metrics, latency_atom_v, core::steady_now_ns() - tick.received_ns);
  if (arb.answer) {
    if (arb.answer->kind == OutcomeKind::observe_only) {
      log_observed(self, core::Caller::market, arb.execute, arb.decision.r, /*once=*/true);
    }
    if (arb.decision.trail_best) st.rec.position.trail_best = arb.decision.trail_best;
    if (arb.decision.trail_stop && !settings.observe && arb.execute.empty())
      move_trailing_stop(self, *arb.decision.trail_stop, *arb.decision.trail_best);
    if (!st.in_flight) publish_band(self);
    return;
  }
  st.in_flight = true;
  run_stages(self, arb.execute, 0, core::Caller::market, tick.price, [=](Outcome o) {
    count(self, core::Caller::market, o.kind);
    after_flight(self);
  });
}

position_actor::behavior_type position(self_ptr self, PositionDeps deps, storage::PositionRecord record,
                                       std::vector<storage::StageRecord> stages, core::InstrumentFilters filters) {
  auto& init = self->state;
  init.deps = std::move(deps);
  init.rec = std::move(record);
  init.filters = filters;
  init.last_mark = init.rec.position.entry;
  for (const auto& s : stages) {
    if (s.state == storage::StageState::done) init.book.record(s.stage, s.at);
    if (s.state == storage::StageState::pending) init.pending_intents.push_back(s);
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
          reply.outcome = Outcome{OutcomeKind::failed, "shutting_down"};
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
        PositionStatus status{st.rec, {}, st.last_mark};
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
      [=](poll_atom) { poll_fill(self); },
      [=](finish_atom) {
        if (auto retry = std::exchange(self->state.unrecorded, nullptr)) retry();
      },
      [=](check_atom, const SlotSnapshot& snap) { check_slot(self, snap); },
  };
}

}  // namespace

position_actor spawn_position(caf::actor_system& sys, PositionDeps deps, storage::PositionRecord record,
                              std::vector<storage::StageRecord> stages, core::InstrumentFilters filters) {
  return sys.spawn(position, std::move(deps), std::move(record), std::move(stages), filters);
}

}  // namespace ptp::actors
