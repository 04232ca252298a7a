// A stage's execution: durable intent -> reduce-only close -> new stop -> cancel old stop ->
// resize the extreme take-profit -> durable result (with the position it left, one transaction).
// The new stop is placed before the old one is cancelled, so the position is never unprotected.
// Also the recovery of an intent a run that stopped mid-stage left pending.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"
#include "core/client_order_id.hpp"

namespace ptp::actors::position_parts {

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
              st.book.record_failure(run->action.stage, run->record.attempt);
              spdlog::error("[{}] {} {} failed: {} (not executed; retryable)", caller, who(self), run->action.stage.str(),
                            core::reason_text(outcome.reason, outcome.venue_code, outcome.detail));
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

// How a stage that got past its close ends: skipped (with the reason) or success.
Outcome completed(const StageRun& run) {
  if (!run.action.skip) return Outcome{OutcomeKind::success};
  return Outcome{OutcomeKind::skipped, *run.action.skip == core::SkipReason::below_min_qty ? core::Reason::below_min_qty
                                                                                          : core::Reason::below_min_notional};
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
      run->notes.push_back("take-profit resize failed: " + rep.reason() + "; the previous one stays");
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
      run->notes.push_back("new stop " + stop.str() + " failed: " + rep.reason() + "; the old stop stays");
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
      finish_stage(self, run, Outcome{OutcomeKind::failed, core::Reason::close_unfilled, {},
                                      "the close ended " + std::string(core::to_string(state.status)) +
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
      finish_stage(self, run, rep.failure());
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
                   rep.ok ? std::string(core::to_string(rep.state.status)) : rep.reason(), kSlowFillPollInterval.count());
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
  r.attempt = st.book.next_attempt(action.stage);
  r.close_client_id = core::stage_order_id(key, action.stage, r.attempt, core::OrderStep::close);
  r.stop_client_id = core::stage_order_id(key, action.stage, r.attempt, core::OrderStep::stop);
  r.tp_client_id = core::stage_order_id(key, action.stage, r.attempt, core::OrderStep::take_profit);
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
                run->done(Outcome{OutcomeKind::failed, core::Reason::unresolved_intent});
                return;
              }
              run->done(core::recorded_outcome(b.existing->at, core::Clock::now(),
                                               self->state.deps.settings->dedupe_window));
              return;
            }
            close_step(self, run);
          },
          [=](caf::error& e) {
            spdlog::error("[{}] {} {}: the intent could not be recorded ({}); no order sent", core::to_string(caller),
                          who(self), action.stage.str(), describe(e));
            run->done(Outcome{OutcomeKind::failed, core::Reason::storage});
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
                            who(self), intent.stage.str(), rep.reason(), kRecoveryRetry.count());
              self->delayed_send(self, kRecoveryRetry, recover_atom_v);
              return;
            }
            if (!rep.found || rep.state.status == core::OrderStatus::rejected) {
              finish_stage(self, run, Outcome{OutcomeKind::failed, core::Reason::intent_not_sent, {},
                                              "the close never reached the exchange"});
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

}  // namespace ptp::actors::position_parts
