#include "core/stage_run.hpp"

#include "core/client_order_id.hpp"

namespace ptp::core {
namespace {

std::string stage_text(const StageRecord& r) { return r.stage.str(); }

// A later piece's answer after which it may or may not exist: one OrderCall could not resolve, or
// an exchange that could not be asked (the request may have left before it failed).
bool piece_outcome_unknown(const OrderAnswer& a) { return a.outcome_unknown() || a.error == Reason::unavailable; }

}  // namespace

StageRun StageRun::start(const StageAction& action, std::uint32_t attempt, Caller caller, Price mark,
                         const PositionRecord& position, const InstrumentFilters& filters,
                         std::chrono::milliseconds dedupe_window, Now now) {
  StageRun run;
  run.now_ = std::move(now);
  run.filters_ = filters;
  run.action_ = action;
  run.before_ = run.after_ = position;
  run.dedupe_window_ = dedupe_window;
  StageRecord& r = run.record_;
  const PositionKey& key = position.position.key;
  r.key = key;
  r.stage = action.stage;
  r.caller = caller;
  r.at = run.now_();
  r.mark = mark;
  r.planned_qty = action.close_qty;
  r.new_stop = action.new_stop ? std::optional<Price>(action.new_stop->price) : std::nullopt;
  r.attempt = attempt;
  r.close_client_id = stage_order_id(key, action.stage, attempt, OrderStep::close);
  r.stop_client_id = stage_order_id(key, action.stage, attempt, OrderStep::stop);
  r.tp_client_id = stage_order_id(key, action.stage, attempt, OrderStep::take_profit);
  if (!action.close_qty.is_positive() && !position.tp_order.empty()) {
    // Nothing to close: the resting take-profit already has this price (it depends only on the
    // entry, the initial stop and the plan) and this size. Replacing it would be two requests for
    // nothing, and two take-profits resting for a moment.
    run.action_.take_profit_price.reset();
    r.tp_client_id.clear();
  }
  run.phase_ = Phase::intent;
  return run;
}

StageRun StageRun::resume(const StageRecord& intent, const PositionRecord& position, std::optional<Price> take_profit,
                          const InstrumentFilters& filters, Now now) {
  StageRun run;
  run.now_ = std::move(now);
  run.filters_ = filters;
  run.resumed_ = true;
  run.record_ = intent;
  run.before_ = run.after_ = position;
  run.action_.stage = intent.stage;
  run.action_.close_qty = intent.planned_qty;
  run.action_.remaining_after = position.position.remaining_size - intent.planned_qty;
  if (intent.new_stop) run.action_.new_stop = StopPrice{*intent.new_stop, false};
  if (!intent.tp_client_id.empty()) run.action_.take_profit_price = take_profit;
  run.phase_ = Phase::recovery_query;
  return run;
}

StageRun::Step StageRun::begin() {
  if (!resumed_) return Step{StoreIntent{record_}, {}};
  std::vector<Note> notes{{Note::Level::warn, "recovery",
                           stage_text(record_) + ": an intent from " + std::string(to_string(record_.caller)) +
                               " was left pending (the node stopped mid-stage); asking the exchange what happened "
                               "before sending anything"}};
  if (!record_.planned_qty.is_positive()) return place_stop(std::move(notes));
  phase_ = Phase::recovery_query;
  return Step{Send{query_close()}, std::move(notes)};
}

StageRun::Step StageRun::intent_stored() { return send_close(); }

StageRun::Step StageRun::intent_exists(const StageRecord& existing) {
  phase_ = Phase::done;
  if (existing.state == StageState::pending) {
    return Step{Done{Outcome{OutcomeKind::failed, Reason::unresolved_intent}, existing, std::nullopt, {}},
                {{Note::Level::error, std::string(to_string(record_.caller)),
                  stage_text(record_) + " has an unfinished intent from " + std::string(to_string(existing.caller)) +
                      " (a crash mid-stage?); not sending it again until it is resolved"}}};
  }
  return Step{Done{recorded_outcome(existing.at, now_(), dedupe_window_), existing, std::nullopt, {}}, {}};
}

StageRun::Step StageRun::storage_failed(const std::string& why) {
  if (phase_ == Phase::intent) {
    phase_ = Phase::done;
    return Step{Done{Outcome{OutcomeKind::failed, Reason::storage}, std::nullopt, std::nullopt, {}},
                {{Note::Level::error, std::string(to_string(record_.caller)),
                  stage_text(record_) + ": the intent could not be recorded (" + why + "); no order sent"}}};
  }
  // The result: what the exchange did is known only here, so the stage stays in flight (every
  // caller gets in_progress, nothing else runs on the position) and the commit is tried again.
  std::vector<Note> notes;
  if (storage_failures_ % 30 == 0)
    notes.push_back({Note::Level::critical, std::string(to_string(record_.caller)),
                     stage_text(record_) + " (" + outcome_.str() + "): its result could not be recorded (" + why +
                         "); the stage stays in flight and the record is tried again every " +
                         std::to_string(kStorageRetry.count() / 1000) + " s"});
  ++storage_failures_;
  return Step{Wait{kStorageRetry}, std::move(notes)};
}

StageRun::Step StageRun::result_stored() {
  phase_ = Phase::done;
  std::optional<PositionRecord> position;
  if (outcome_.kind != OutcomeKind::failed) position = after_;
  return Step{Done{outcome_, record_, position, notes_}, {}};
}

Qty StageRun::piece_qty() const { return close_piece(action_.close_qty - closed_, filters_); }

std::string StageRun::piece_id() const {
  if (piece_ == 0) return record_.close_client_id;
  return stage_order_id(record_.key, record_.stage, record_.attempt, OrderStep::close, piece_);
}

OrderCommand StageRun::query_close() const {
  const Position& p = before_.position;
  return OrderCommand{OrderCommand::Op::query, p.key.symbol, p.side(), piece_qty(), {}, piece_id(), {},
                      OrderCommand::Op::close};
}

StageRun::Step StageRun::send(OrderCommand order, std::vector<Note> notes) {
  return Step{Send{std::move(order)}, std::move(notes)};
}

StageRun::Step StageRun::send_close(std::vector<Note> notes) {
  if (!action_.close_qty.is_positive()) return place_stop(std::move(notes));
  const Position& p = before_.position;
  call_ = OrderCall::send(OrderCommand{OrderCommand::Op::close, p.key.symbol, p.side(), piece_qty(), {}, piece_id(), {}});
  phase_ = Phase::closing;
  return send(call_->next(), std::move(notes));
}

// The piece before filled in full and the close is not done: the next piece, under its own id. A
// resumed run asks for it first (the interrupted run may have sent it).
StageRun::Step StageRun::next_piece(std::vector<Note> notes) {
  ++piece_;
  if (!resumed_) return send_close(std::move(notes));
  phase_ = Phase::recovery_query;
  return send(query_close(), std::move(notes));
}

StageRun::Step StageRun::order_answered(const OrderAnswer& a) {
  std::vector<Note> notes;
  switch (phase_) {
    case Phase::recovery_query:
      if (!a.ok)
        return Step{Wait{kRecoveryRetry},
                    {{Note::Level::error, "recovery",
                      stage_text(record_) + ": cannot ask the exchange (" + a.reason() +
                          "); the stage stays pending, asking again in " + std::to_string(kRecoveryRetry.count() / 1000) +
                          " s"}}};
      if (piece_ > 0 && !a.found) {
        // Pieces go out one after another: the earlier ones filled, this one and the rest never left.
        notes.push_back({Note::Level::warn, "recovery",
                         stage_text(record_) + ": close piece " + piece_id() + " never reached the exchange; sending it"});
        return send_close(std::move(notes));
      }
      if (piece_ > 0 && a.state.status == OrderStatus::rejected)
        return close_stopped_early("close piece " + piece_id() + " was rejected", std::move(notes));
      if (!a.found || a.state.status == OrderStatus::rejected)
        return finish(Outcome{OutcomeKind::failed, Reason::intent_not_sent, {}, "the close never reached the exchange"},
                      {});
      notes.push_back({Note::Level::warn, "recovery",
                       stage_text(record_) + ": the close " + piece_id() + " reached the exchange (" +
                           std::string(to_string(a.state.status)) + "); finishing the stage"});
      return close_ended(a.state, std::move(notes));
    case Phase::closing: {
      if (!call_->answer(a, notes)) return send(call_->next(), std::move(notes));
      const OrderAnswer r = call_->result();
      if (!r.ok && piece_ > 0 && piece_outcome_unknown(r)) {
        // It may have filled: asked again by its id (and sent only if the exchange never saw it),
        // never given up on, since giving up would record a close of the wrong size.
        notes.push_back({Note::Level::warn, "exchange",
                         stage_text(record_) + ": close piece " + piece_id() + " (" + r.reason() + "); asking for it in " +
                             std::to_string(kRecoveryRetry.count() / 1000) + " s, the stage stays in flight"});
        phase_ = Phase::recovery_query;
        return Step{Wait{kRecoveryRetry}, std::move(notes)};
      }
      if (!r.ok && piece_ > 0) return close_stopped_early("close piece " + piece_id() + ": " + r.reason(), std::move(notes));
      if (!r.ok) return finish(r.failure(), std::move(notes));
      return close_ended(r.state, std::move(notes));
    }
    case Phase::polling: {
      if (!call_->answer(a, notes)) return send(call_->next(), std::move(notes));
      const OrderAnswer r = call_->result();
      if (r.ok && r.found && r.state.status != OrderStatus::open && r.state.status != OrderStatus::partially_filled)
        return close_ended(r.state, std::move(notes));
      if (++fill_polls_ == kFastFillPolls)
        notes.push_back({Note::Level::warn, "exchange",
                         "close " + piece_id() + " has not ended after " + std::to_string(kFastFillPolls) +
                             " queries (" + (r.ok ? std::string(to_string(r.state.status)) : r.reason()) +
                             "); asking every " + std::to_string(kSlowFillPoll.count() / 1000) +
                             " s, the stage stays in flight"});
      return Step{Wait{fill_polls_ < kFastFillPolls ? kFillPoll : kSlowFillPoll}, std::move(notes)};
    }
    case Phase::stop: {
      if (!replace_->answer(a, notes)) return send(replace_->next(), std::move(notes));
      const Price stop = action_.new_stop->price;
      if (!replace_->placed().ok) {
        // The old stop is still on the exchange: the position stays protected at the old level.
        notes_.push_back("new stop " + stop.str() + " failed: " + replace_->placed().reason() + "; the old stop stays");
        record_.new_stop.reset();
      } else {
        after_.stop_placed(stop, replace_->placed().state.ref);
        if (!replace_->cancel_error().empty()) notes_.push_back("old stop cancel: " + replace_->cancel_error());
      }
      return place_take_profit(std::move(notes));
    }
    case Phase::take_profit: {
      if (!replace_->answer(a, notes)) return send(replace_->next(), std::move(notes));
      if (!replace_->placed().ok) {
        notes_.push_back("take-profit resize failed: " + replace_->placed().reason() + "; the previous one stays");
        record_.tp_client_id.clear();
      } else {
        after_.tp_order = replace_->placed().state.ref;
        if (!replace_->cancel_error().empty()) notes_.push_back("old take-profit cancel: " + replace_->cancel_error());
      }
      return finish(completed(), std::move(notes));
    }
    case Phase::intent:
    case Phase::result:
    case Phase::done: break;
  }
  return Step{Wait{kFillPoll}, {}};  // an answer nothing asked for: unreachable by the actor's protocol
}

StageRun::Step StageRun::timer() {
  switch (phase_) {
    case Phase::polling:
      call_ = OrderCall::send(query_close());
      return send(call_->next(), {});
    case Phase::recovery_query: return send(query_close(), {});
    case Phase::result: return store_result({});
    default: break;
  }
  return Step{Wait{kFillPoll}, {}};  // unreachable by the actor's protocol
}

// Where a close (a piece of it) the exchange accepted goes next, from its state. Filled in full: the
// next piece, or the stop moves once the close is done. Filled short, or ended (canceled, expired)
// with part of it filled: the stage goes on with the quantity closed, so no retry can sell that part
// again. Ended with nothing filled: the first piece fails the stage (nothing was sold); a later one
// ends the close with what the pieces before it sold. Still open: asked again until it ends (a close
// that has not ended is never given up on: a retry would send a second close beside it); nothing
// else happens on the position meanwhile.
StageRun::Step StageRun::close_ended(const OrderState& close, std::vector<Note> notes) {
  const bool ended = close.status == OrderStatus::canceled || close.status == OrderStatus::rejected;
  if (close.status == OrderStatus::filled || (ended && close.filled_qty.is_positive())) {
    // A piece filled in full leads to the next; one the exchange cut to a smaller position (a
    // reduce-only close is cut to what is open, and reported filled) ends the close there.
    const bool whole = close.status == OrderStatus::filled && close.filled_qty == piece_qty();
    closed_ += close.filled_qty;
    ++pieces_filled_;
    fill_value_ += Int128{close.avg_fill_price.units()} * close.filled_qty.units();
    if (whole && closed_ < action_.close_qty) return next_piece(std::move(notes));
    if (ended)
      notes.push_back({Note::Level::warn, "exchange",
                       "close " + piece_id() + " ended " + std::string(to_string(close.status)) + " with " +
                           close.filled_qty.str() + " of " + close.qty.str() + " filled; the stage goes on with that"});
    return after_close(std::move(notes));
  }
  if (ended) {
    const std::string why = "the close ended " + std::string(to_string(close.status)) + " with nothing filled";
    if (piece_ > 0) return close_stopped_early("close piece " + piece_id() + ": " + why, std::move(notes));
    return finish(Outcome{OutcomeKind::failed, Reason::close_unfilled, {}, why}, std::move(notes));
  }
  phase_ = Phase::polling;
  fill_polls_ = 0;
  return Step{Wait{kFillPoll}, std::move(notes)};
}

// Something is already sold: the stage cannot fail (a retry would sell it again); it goes on with
// what the earlier pieces closed.
StageRun::Step StageRun::close_stopped_early(const std::string& why, std::vector<Note> notes) {
  notes.push_back({Note::Level::warn, "exchange",
                   stage_text(record_) + ": " + why + "; the stage goes on with the " + closed_.str() + " closed by " +
                       std::to_string(piece_) + " piece(s) before it"});
  return after_close(std::move(notes));
}

StageRun::Step StageRun::after_close(std::vector<Note> notes) {
  record_.closed_qty = closed_;
  record_.fill_price =
      closed_.is_zero() ? Price{} : Price::from_units(static_cast<std::int64_t>(fill_value_ / closed_.units()));
  after_.position.closed(closed_);
  if (pieces_filled_ > 1)
    notes.push_back({Note::Level::info, "exchange",
                     stage_text(record_) + ": closed " + closed_.str() + " in " + std::to_string(pieces_filled_) +
                         " market orders of at most " + filters_.max_qty.str() + " (the venue's largest)"});
  if (closed_ != action_.close_qty) notes_.push_back("filled " + closed_.str() + " of " + action_.close_qty.str());
  return place_stop(std::move(notes));
}

StageRun::Step StageRun::place_stop(std::vector<Note> notes) {
  const Position& p = after_.position;
  if (!p.remaining_size.is_positive()) {
    // Flat: the exchange cancels reduce-only orders; nothing is left to protect.
    after_.mark_closed(now_());
    return finish(completed(), std::move(notes));
  }
  if (!action_.new_stop) return place_take_profit(std::move(notes));
  replace_.emplace(OrderCommand{OrderCommand::Op::stop, p.key.symbol, p.side(), p.remaining_size,
                                action_.new_stop->price, record_.stop_client_id, {}},
                   after_.stop_order, resumed_);
  phase_ = Phase::stop;
  return send(replace_->next(), std::move(notes));
}

StageRun::Step StageRun::place_take_profit(std::vector<Note> notes) {
  const Position& p = after_.position;
  if (!action_.take_profit_price || !p.remaining_size.is_positive()) return finish(completed(), std::move(notes));
  replace_.emplace(OrderCommand{OrderCommand::Op::take_profit, p.key.symbol, p.side(), p.remaining_size,
                                *action_.take_profit_price, record_.tp_client_id, {}},
                   after_.tp_order, resumed_);
  phase_ = Phase::take_profit;
  return send(replace_->next(), std::move(notes));
}

// How a stage that got past its close ends: skipped (with the reason) or success.
Outcome StageRun::completed() const {
  if (!action_.skip) return Outcome{OutcomeKind::success};
  return Outcome{OutcomeKind::skipped,
                 *action_.skip == SkipReason::below_min_qty ? Reason::below_min_qty : Reason::below_min_notional};
}

StageRun::Step StageRun::finish(Outcome outcome, std::vector<Note> notes) {
  record_.state = outcome.kind == OutcomeKind::failed ? StageState::failed : StageState::done;
  record_.outcome = outcome;
  record_.at = now_();
  outcome_ = std::move(outcome);
  phase_ = Phase::result;
  return store_result(std::move(notes));
}

StageRun::Step StageRun::store_result(std::vector<Note> notes) {
  // A failed stage leaves the position as it was; a done one as the stage left it.
  return Step{StoreResult{record_, outcome_.kind == OutcomeKind::failed ? before_ : after_}, std::move(notes)};
}

StageTakeOver take_over(const StageRun::Done& d, PositionRecord& record, StageBook& book) {
  if (!d.record) return StageTakeOver::nothing;
  const StageRecord& r = *d.record;
  if (d.position) {
    record = *d.position;
    book.record(r.stage, r.at);
    return StageTakeOver::went_through;
  }
  if (r.state == StageState::failed) {
    book.record_failure(r.stage, r.attempt);
    return StageTakeOver::failed;
  }
  book.record(r.stage, r.at);  // found recorded (or pending) by another intent
  return StageTakeOver::found_recorded;
}

}  // namespace ptp::core
