// The stage workflow and the order conversations as state machines, without actors: every
// command a stage gives, every answer it can get, every point a crash can leave it at.
#include <catch2/catch.hpp>

#include "core/client_order_id.hpp"
#include "core/order_call.hpp"
#include "core/stage_run.hpp"
#include "test_order_steps.hpp"
#include "test_positions.hpp"

using namespace ptp;
using core::Note;
using core::OrderAnswer;
using core::OrderCall;
using core::OrderCommand;
using core::OrderKind;
using core::OrderState;
using core::OrderStatus;
using core::OutcomeKind;
using core::Price;
using core::Qty;
using core::Reason;
using core::ReplaceCall;
using core::StageRun;
using core::StageState;
using Op = OrderCommand::Op;
using test::expect;
using test::failed;
using test::not_found;

namespace {

const core::Clock::time_point kNow = core::Clock::time_point(std::chrono::seconds(1'800'000'000));
core::Clock::time_point now() { return kNow; }

OrderAnswer answered(OrderStatus status, const char* qty = "0.5", const char* filled = "0.5", const char* price = "2050",
                     const char* exchange_id = "7") {
  OrderAnswer a;
  a.ok = true;
  a.state.status = status;
  a.state.qty = Qty::parse(qty);
  a.state.filled_qty = Qty::parse(filled);
  a.state.avg_fill_price = Price::parse(price);
  a.state.ref.exchange_id = exchange_id;
  return a;
}
OrderAnswer placed(const std::string& client_id, const char* exchange_id) {
  OrderAnswer a = answered(OrderStatus::open, "1", "0", "0", exchange_id);
  a.state.ref.client_id = client_id;
  return a;
}

// ETH long 1.5 @ 2000, stop 1950 (1R = 50), its stop and take-profit resting; stage 1 at 2050:
// close 0.5, stop to 2000, take-profit 2250 for the 1 left.
struct Stage1 {
  core::PositionRecord rec;
  core::StageAction action;
  core::InstrumentFilters filters = test::eth_filters();

  Stage1() {
    rec.position = test::adopted("ETH", core::Side::long_, "2000", "1950", "1.5");
    rec.stop_order = core::OrderRef{"user-stop", "1"};
    rec.tp_order = core::OrderRef{"tp-0", "2"};
    action.stage = core::StageId{1};
    action.close_qty = Qty::parse("0.5");
    action.remaining_after = Qty::parse("1");
    action.new_stop = core::StopPrice{Price::parse("2000"), false};
    action.take_profit_price = Price::parse("2250");
  }
  StageRun start(std::uint32_t attempt = 0) const {
    return StageRun::start(action, attempt, core::Caller::market, Price::parse("2050"), rec, filters,
                           std::chrono::seconds(30), now);
  }
  std::string id(core::OrderStep step, std::uint32_t attempt = 0, std::uint32_t piece = 0) const {
    return core::stage_order_id(rec.position.key, core::StageId{1}, attempt, step, piece);
  }
  core::StageRecord intent(std::uint32_t attempt = 0) const {
    auto s = start(attempt);
    return std::get<StageRun::StoreIntent>(s.begin().command).record;
  }
};

OrderCommand sends(const StageRun::Step& step, Op op, const std::string& client_id = {}) {
  return test::sends_order<StageRun::Send>(step, op, client_id);
}

bool has_note(const StageRun::Step& step, Note::Level level, const std::string& text) {
  for (const auto& n : step.notes)
    if (n.level == level && n.text.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("an order call sends once and resolves an unknown outcome by its client id", "[order_call]") {
  const OrderCommand close{Op::close, core::Symbol::parse("ETH"), core::Side::long_, Qty::parse("0.5"), {}, "c1", {}};
  std::vector<Note> notes;
  SECTION("an answer ends it") {
    auto call = OrderCall::send(close);
    CHECK(call.next().op == Op::close);
    CHECK(call.answer(failed(Reason::rejected, "-2022", "ReduceOnly Order is rejected."), notes));
    CHECK(call.result().failure().str() == "failed:rejected -2022 ReduceOnly Order is rejected.");
  }
  SECTION("a timeout is resolved by a query, never by sending again") {
    auto call = OrderCall::send(close);
    CHECK_FALSE(call.answer(failed(Reason::timeout, "", "timed out"), notes));
    CHECK(call.next().op == Op::query);
    CHECK(call.next().client_id == "c1");
    CHECK(call.answer(answered(OrderStatus::filled), notes));
    CHECK(call.result().ok);
    CHECK(call.result().state.status == OrderStatus::filled);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].text == "order c1 had an unknown outcome (timeout timed out); the exchange has it: filled");
  }
  SECTION("a duplicate id the exchange does not have after all: the original failure stands") {
    auto call = OrderCall::send(close);
    CHECK_FALSE(call.answer(failed(Reason::duplicate_client_id, "-4116"), notes));
    CHECK(call.answer(not_found(), notes));
    CHECK(call.result().error == Reason::duplicate_client_id);
  }
  SECTION("a query the exchange cannot answer leaves the outcome as it was: unknown") {
    auto call = OrderCall::send(close);
    CHECK_FALSE(call.answer(failed(Reason::timeout), notes));
    CHECK(call.answer(failed(Reason::unavailable), notes));
    CHECK(call.result().error == Reason::timeout);
  }
  SECTION("send_once asks first: found, it is not sent") {
    auto call = OrderCall::send_once(close);
    CHECK(call.next().op == Op::query);
    CHECK(call.answer(answered(OrderStatus::filled), notes));
    CHECK(call.result().state.status == OrderStatus::filled);
    CHECK(notes.at(0).text == "order c1 was sent before the restart: filled");
  }
  SECTION("send_once: not found, or refused before, it is sent") {
    for (const OrderAnswer& lookup : {not_found(), answered(OrderStatus::rejected)}) {
      auto call = OrderCall::send_once(close);
      CHECK_FALSE(call.answer(lookup, notes));
      CHECK(call.next().op == Op::close);
      CHECK(call.answer(answered(OrderStatus::filled), notes));
    }
  }
  SECTION("send_once: the exchange cannot be asked, so nothing is sent") {
    auto call = OrderCall::send_once(close);
    CHECK(call.answer(failed(Reason::unavailable), notes));
    CHECK_FALSE(call.result().ok);
  }
}

TEST_CASE("a lookup names what was sent, for an exchange that finds some orders only by what they are",
          "[order_call]") {
  const OrderCommand stop{Op::stop, core::Symbol::parse("ETH"), core::Side::short_, Qty::parse("0.5"),
                          Price::parse("3045"), "s1", {}};
  std::vector<Note> notes;
  auto call = OrderCall::send(stop);
  CHECK_FALSE(call.answer(failed(Reason::timeout), notes));
  const auto lookup = call.next().lookup();
  CHECK(call.next().op == Op::query);
  CHECK(lookup.client_id == "s1");
  CHECK(lookup.kind == core::OrderKind::stop);
  CHECK(lookup.position_side == core::Side::short_);
  CHECK(lookup.qty.str() == "0.5");
  CHECK(lookup.trigger.str() == "3045");
  auto resumed = OrderCall::send_once(OrderCommand{Op::take_profit, core::Symbol::parse("ETH"), core::Side::long_,
                                                   Qty::parse("1"), Price::parse("2250"), "t1", {}});
  CHECK(resumed.next().lookup().kind == core::OrderKind::take_profit);
  CHECK(resumed.next().lookup().trigger.str() == "2250");
  CHECK(OrderCall::send_once(OrderCommand{Op::close, core::Symbol::parse("ETH"), core::Side::long_, Qty::parse("0.5"),
                                          {}, "c1", {}})
            .next()
            .lookup()
            .kind == core::OrderKind::market_close);
}

TEST_CASE("a replacement places the new order before it cancels the old one", "[order_call]") {
  const OrderCommand stop{Op::stop, core::Symbol::parse("ETH"), core::Side::long_, Qty::parse("1"), Price::parse("2000"), "s1", {}};
  std::vector<Note> notes;
  ReplaceCall call(stop, core::OrderRef{"old", "1"}, false);
  CHECK(call.next().op == Op::stop);
  CHECK_FALSE(call.answer(placed("s1", "9"), notes));
  CHECK(call.next().op == Op::cancel);
  CHECK(call.next().ref.exchange_id == "1");
  CHECK(call.answer(failed(Reason::not_found, "-2011", "Unknown order sent."), notes));
  CHECK(call.placed().state.ref.exchange_id == "9");
  CHECK(call.cancel_error() == "not_found -2011 Unknown order sent.");

  ReplaceCall refused(stop, core::OrderRef{"old", "1"}, false);
  CHECK(refused.answer(failed(Reason::rejected, "-2021"), notes));  // nothing cancelled: the old one stays
  CHECK_FALSE(refused.placed().ok);
  ReplaceCall first(stop, {}, false);
  CHECK(first.answer(placed("s1", "9"), notes));  // no old order: done once placed
}

TEST_CASE("a stage: intent, close, new stop, old stop cancelled, take-profit resized, result", "[stage_run]") {
  Stage1 s;
  auto run = s.start(2);
  const auto& intent = expect<StageRun::StoreIntent>(run.begin()).record;
  CHECK(intent.state == StageState::pending);
  CHECK(intent.attempt == 2);
  CHECK(intent.close_client_id == s.id(core::OrderStep::close, 2));
  CHECK(intent.stop_client_id == s.id(core::OrderStep::stop, 2));
  CHECK(intent.tp_client_id == s.id(core::OrderStep::take_profit, 2));
  CHECK(intent.planned_qty.str() == "0.5");
  CHECK(intent.at == kNow);
  const auto& close = sends(run.intent_stored(), Op::close, s.id(core::OrderStep::close, 2));
  CHECK(close.qty.str() == "0.5");
  const auto& stop = sends(run.order_answered(answered(OrderStatus::filled)), Op::stop, s.id(core::OrderStep::stop, 2));
  CHECK(stop.trigger.str() == "2000");
  CHECK(stop.qty.str() == "1");
  CHECK(sends(run.order_answered(placed(s.id(core::OrderStep::stop, 2), "10")), Op::cancel).ref.exchange_id == "1");
  const auto& tp = sends(run.order_answered(answered(OrderStatus::canceled, "1.5", "0")), Op::take_profit,
                         s.id(core::OrderStep::take_profit, 2));
  CHECK(tp.trigger.str() == "2250");
  CHECK(tp.qty.str() == "1");
  CHECK(sends(run.order_answered(placed(s.id(core::OrderStep::take_profit, 2), "11")), Op::cancel).ref.exchange_id == "2");
  const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
  CHECK(result.record.state == StageState::done);
  CHECK(result.record.closed_qty.str() == "0.5");
  CHECK(result.record.fill_price.str() == "2050");
  CHECK(result.position.position.remaining_size.str() == "1");
  CHECK(result.position.position.current_stop.str() == "2000");
  CHECK(result.position.stop_order.exchange_id == "10");
  CHECK(result.position.tp_order.exchange_id == "11");
  const auto& done = expect<StageRun::Done>(run.result_stored());
  CHECK(done.outcome.kind == OutcomeKind::success);
  REQUIRE(done.position);
  CHECK(done.position->position.current_stop.str() == "2000");
  CHECK(done.notes.empty());
}

TEST_CASE("a stage found recorded answers from the record, an unresolved intent blocks it", "[stage_run]") {
  Stage1 s;
  auto done_intent = s.intent();
  done_intent.state = StageState::done;
  done_intent.at = kNow - std::chrono::seconds(10);
  auto run = s.start();
  run.begin();
  const auto& recent = expect<StageRun::Done>(run.intent_exists(done_intent));
  CHECK(recent.outcome.kind == OutcomeKind::recently_executed);
  CHECK(recent.record->state == StageState::done);
  done_intent.at = kNow - std::chrono::minutes(10);
  auto later = s.start();
  later.begin();
  CHECK(expect<StageRun::Done>(later.intent_exists(done_intent)).outcome.kind == OutcomeKind::already_executed);
  auto pending = s.intent();
  auto blocked = s.start();
  blocked.begin();
  const auto step = blocked.intent_exists(pending);
  CHECK(expect<StageRun::Done>(step).outcome.str() == "failed:unresolved_intent");
  CHECK(has_note(step, Note::Level::error, "has an unfinished intent from market (a crash mid-stage?)"));
}

TEST_CASE("no durable intent, no order", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  const auto step = run.storage_failed("LMDB commit: No space left on device");
  const auto& done = expect<StageRun::Done>(step);
  CHECK(done.outcome.str() == "failed:storage");
  CHECK_FALSE(done.record);
  CHECK(has_note(step, Note::Level::error, "the intent could not be recorded (LMDB commit: No space left on device)"));
}

TEST_CASE("a rejected close fails the stage, records why, and leaves the position as it was", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  run.intent_stored();
  const auto& result =
      expect<StageRun::StoreResult>(run.order_answered(failed(Reason::rejected, "-2022", "ReduceOnly Order is rejected.")));
  CHECK(result.record.state == StageState::failed);
  CHECK(result.record.outcome.reason == Reason::rejected);
  CHECK(result.record.outcome.venue_code == "-2022");
  CHECK(result.position.position.remaining_size.str() == "1.5");
  CHECK(result.position.stop_order.client_id == "user-stop");
  const auto& done = expect<StageRun::Done>(run.result_stored());
  CHECK(done.outcome.kind == OutcomeKind::failed);
  CHECK_FALSE(done.position);  // nothing to take over
  CHECK(done.record->state == StageState::failed);
}

TEST_CASE("a close that timed out is asked about, never sent again", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  run.intent_stored();
  const auto step = run.order_answered(failed(Reason::timeout));
  sends(step, Op::query, s.id(core::OrderStep::close));
  const auto next = run.order_answered(answered(OrderStatus::filled));
  sends(next, Op::stop);
  CHECK(has_note(next, Note::Level::warn, "had an unknown outcome"));
}

TEST_CASE("a close that has not filled is polled until it ends, the stop moves only after the fill", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  run.intent_stored();
  CHECK(expect<StageRun::Wait>(run.order_answered(answered(OrderStatus::open, "0.5", "0", "0"))).delay == StageRun::kFillPoll);
  for (int poll = 1; poll <= StageRun::kFastFillPolls; ++poll) {
    sends(run.timer(), Op::query, s.id(core::OrderStep::close));
    const auto step = run.order_answered(answered(OrderStatus::open, "0.5", "0", "0"));
    const auto& wait = expect<StageRun::Wait>(step);
    CHECK(wait.delay == (poll < StageRun::kFastFillPolls ? StageRun::kFillPoll : StageRun::kSlowFillPoll));
    CHECK(has_note(step, Note::Level::warn, "has not ended after 100 queries") == (poll == StageRun::kFastFillPolls));
  }
  sends(run.timer(), Op::query);
  sends(run.order_answered(answered(OrderStatus::filled)), Op::stop);
}

TEST_CASE("a poll the exchange does not answer keeps the stage polling, never a second close", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  run.intent_stored();
  expect<StageRun::Wait>(run.order_answered(answered(OrderStatus::open, "0.5", "0", "0")));
  sends(run.timer(), Op::query, s.id(core::OrderStep::close));
  sends(run.order_answered(failed(Reason::timeout)), Op::query, s.id(core::OrderStep::close));  // a query may repeat
  expect<StageRun::Wait>(run.order_answered(failed(Reason::unavailable)));
  sends(run.timer(), Op::query, s.id(core::OrderStep::close));
  expect<StageRun::Wait>(run.order_answered(failed(Reason::unavailable)));
  sends(run.timer(), Op::query, s.id(core::OrderStep::close));
}

TEST_CASE("a close that timed out and that the exchange does not have fails the stage, nothing sold", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  run.intent_stored();
  sends(run.order_answered(failed(Reason::timeout, "", "timed out")), Op::query, s.id(core::OrderStep::close));
  const auto& result = expect<StageRun::StoreResult>(run.order_answered(not_found()));
  CHECK(result.record.state == StageState::failed);
  CHECK(result.record.outcome.reason == Reason::timeout);
  CHECK(result.position.position.remaining_size.str() == "1.5");
}

TEST_CASE("a close that ends part filled goes on with what filled, one that ends unfilled fails", "[stage_run]") {
  Stage1 s;
  auto half = s.start();
  half.begin();
  half.intent_stored();
  const auto step = half.order_answered(answered(OrderStatus::canceled, "0.5", "0.25"));
  const auto& stop = sends(step, Op::stop);
  CHECK(stop.qty.str() == "1.25");
  CHECK(has_note(step, Note::Level::warn, "ended canceled with 0.25 of 0.5 filled; the stage goes on with that"));
  auto none = s.start();
  none.begin();
  none.intent_stored();
  const auto& result = expect<StageRun::StoreResult>(none.order_answered(answered(OrderStatus::canceled, "0.5", "0")));
  CHECK(result.record.outcome.str() == "failed:close_unfilled: the close ended canceled with nothing filled");
}

TEST_CASE("a stop the exchange refuses leaves the old one, the take-profit is still resized", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  run.intent_stored();
  run.order_answered(answered(OrderStatus::filled));
  sends(run.order_answered(failed(Reason::rejected, "-2021", "Order would immediately trigger.")), Op::take_profit);
  run.order_answered(placed(s.id(core::OrderStep::take_profit), "11"));
  const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
  CHECK(result.position.position.current_stop.str() == "1950");
  CHECK(result.position.stop_order.client_id == "user-stop");
  CHECK_FALSE(result.record.new_stop);
  const auto& done = expect<StageRun::Done>(run.result_stored());
  CHECK(done.notes == std::vector<std::string>{"new stop 2000 failed: rejected -2021 Order would immediately trigger.; "
                                               "the old stop stays"});
}

TEST_CASE("a close that flattens the position ends the stage with nothing left to protect", "[stage_run]") {
  Stage1 s;
  s.action.close_qty = Qty::parse("1.5");
  auto run = s.start();
  run.begin();
  run.intent_stored();
  const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::filled, "1.5", "1.5")));
  CHECK_FALSE(result.position.open);
  CHECK(result.position.closed_at == kNow);
  CHECK(result.position.position.remaining_size.is_zero());
}

TEST_CASE("a skipped close still moves the stop", "[stage_run]") {
  Stage1 s;
  s.action.close_qty = Qty{};
  s.action.skip = core::SkipReason::below_min_qty;
  auto run = s.start();
  run.begin();
  sends(run.intent_stored(), Op::stop);
  run.order_answered(placed(s.id(core::OrderStep::stop), "10"));
  // Nothing closed: the resting take-profit stays as it is (no replacement by an identical one).
  expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
  CHECK(expect<StageRun::Done>(run.result_stored()).outcome.str() == "skipped:below_min_qty");
}

TEST_CASE("a stage with nothing to close leaves the resting take-profit alone", "[stage_run]") {
  Stage1 s;  // stage 3 of the default plan: no close, no stop move, the extreme take-profit as it was
  s.action.stage = core::StageId{3};
  s.action.close_qty = Qty{};
  s.action.new_stop.reset();
  auto run = s.start();
  const auto intent = std::get<StageRun::StoreIntent>(run.begin().command).record;
  CHECK(intent.tp_client_id.empty());
  const auto result = expect<StageRun::StoreResult>(run.intent_stored());
  CHECK(result.position.tp_order == s.rec.tp_order);
  CHECK(expect<StageRun::Done>(run.result_stored()).outcome.str() == "success");
}

TEST_CASE("a stage with nothing to close places the take-profit when none rests", "[stage_run]") {
  Stage1 s;
  s.rec.tp_order = {};
  s.action.stage = core::StageId{3};
  s.action.close_qty = Qty{};
  s.action.new_stop.reset();
  auto run = s.start();
  run.begin();
  sends(run.intent_stored(), Op::take_profit,
        core::stage_order_id(s.rec.position.key, core::StageId{3}, 0, core::OrderStep::take_profit));
}

TEST_CASE("a result storage refuses keeps the stage in flight and is stored again", "[stage_run]") {
  Stage1 s;
  auto run = s.start();
  run.begin();
  run.intent_stored();
  const auto first = expect<StageRun::StoreResult>(run.order_answered(failed(Reason::rejected, "-2022")));
  for (int attempt = 0; attempt < 31; ++attempt) {
    const auto step = run.storage_failed("No space left on device");
    CHECK(expect<StageRun::Wait>(step).delay == StageRun::kStorageRetry);
    CHECK(has_note(step, Note::Level::critical, "its result could not be recorded") == (attempt % 30 == 0));
    const auto again = expect<StageRun::StoreResult>(run.timer());  // the same result, not a new one
    CHECK(again.record.at == first.record.at);
    CHECK(again.record.state == first.record.state);
    CHECK(again.record.outcome.str() == first.record.outcome.str());
    CHECK(again.position.position.remaining_size == first.position.position.remaining_size);
    CHECK(again.position.stop_order == first.position.stop_order);
  }
  CHECK(expect<StageRun::Done>(run.result_stored()).outcome.kind == OutcomeKind::failed);
}

TEST_CASE("a close above the venue's largest market order goes out in pieces under ids of their own", "[stage_run]") {
  Stage1 s;
  s.filters.max_qty = Qty::parse("0.2");  // the close of 0.5: 0.2 + 0.2 + 0.1
  auto run = s.start(1);
  const auto& intent = expect<StageRun::StoreIntent>(run.begin()).record;
  CHECK(intent.planned_qty.str() == "0.5");
  CHECK(sends(run.intent_stored(), Op::close, s.id(core::OrderStep::close, 1)).qty.str() == "0.2");
  CHECK(sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2", "2050")), Op::close,
              s.id(core::OrderStep::close, 1, 1))
            .qty.str() == "0.2");
  CHECK(sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2", "2051")), Op::close,
              s.id(core::OrderStep::close, 1, 2))
            .qty.str() == "0.1");
  const auto step = run.order_answered(answered(OrderStatus::filled, "0.1", "0.1", "2052"));
  CHECK(has_note(step, Note::Level::info, "closed 0.5 in 3 market orders of at most 0.2"));
  CHECK(sends(step, Op::stop, s.id(core::OrderStep::stop, 1)).qty.str() == "1");
  run.order_answered(placed(s.id(core::OrderStep::stop, 1), "10"));
  run.order_answered(answered(OrderStatus::canceled));
  run.order_answered(placed(s.id(core::OrderStep::take_profit, 1), "11"));
  const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
  CHECK(result.record.state == StageState::done);
  CHECK(result.record.closed_qty.str() == "0.5");
  CHECK(result.record.fill_price.str() == "2050.8");  // (0.2 x 2050 + 0.2 x 2051 + 0.1 x 2052) / 0.5
  CHECK(result.record.close_client_id == s.id(core::OrderStep::close, 1));
  CHECK(result.position.position.remaining_size.str() == "1");
  CHECK(expect<StageRun::Done>(run.result_stored()).outcome.kind == OutcomeKind::success);
}

TEST_CASE("a rest below the minimum is never left: the last two pieces share it", "[stage_run]") {
  auto f = test::eth_filters();
  f.min_qty = Qty::parse("0.05");
  f.max_qty = Qty::parse("0.2");
  CHECK(core::close_piece(Qty::parse("0.5"), f).str() == "0.2");
  CHECK(core::close_piece(Qty::parse("0.22"), f).str() == "0.17");  // not 0.2 + a 0.02 below the minimum
  CHECK(core::close_piece(Qty::parse("0.25"), f).str() == "0.2");
  CHECK(core::close_piece(Qty::parse("0.2"), f).str() == "0.2");
  f.max_qty = Qty{};  // the venue publishes no cap
  CHECK(core::close_piece(Qty::parse("1000"), f).str() == "1000");
  f.max_qty = Qty::parse("0.2005");  // not a multiple of the step: the piece is
  CHECK(core::close_piece(Qty::parse("0.5"), f).str() == "0.2");
  // A cap below twice the minimum cannot share a short rest: the largest piece, never one below the minimum.
  f = test::eth_filters();
  f.step_size = Qty::parse("0.5");
  f.min_qty = Qty::parse("2");
  f.max_qty = Qty::parse("3");
  CHECK(core::close_piece(Qty::parse("3.5"), f).str() == "3");
}

TEST_CASE("a close the exchange cut to a smaller position ends there: no second piece for the difference",
          "[stage_run]") {
  Stage1 s;  // no cap: one order of 0.5
  auto run = s.start();
  run.begin();
  run.intent_stored();
  // Reported filled, for the 0.3 that was still open (a reduce-only close is cut to the position).
  const auto step = run.order_answered(answered(OrderStatus::filled, "0.3", "0.3"));
  CHECK(sends(step, Op::stop).qty.str() == "1.2");
}

TEST_CASE("a later piece whose outcome is unknown is asked about by its id, never given up on", "[stage_run]") {
  Stage1 s;
  s.filters.max_qty = Qty::parse("0.2");
  auto run = s.start();
  run.begin();
  run.intent_stored();
  sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2")), Op::close, s.id(core::OrderStep::close, 0, 1));
  // A timeout, and the lookup that would resolve it fails too.
  sends(run.order_answered(failed(Reason::timeout, "", "timed out")), Op::query, s.id(core::OrderStep::close, 0, 1));
  const auto wait = run.order_answered(failed(Reason::unavailable, "", "HTTP 503"));
  CHECK(expect<StageRun::Wait>(wait).delay == StageRun::kRecoveryRetry);
  CHECK(has_note(wait, Note::Level::warn, "the stage stays in flight"));
  sends(run.timer(), Op::query, s.id(core::OrderStep::close, 0, 1));
  SECTION("it had filled: counted once, and the close goes on") {
    CHECK(sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2")), Op::close,
                s.id(core::OrderStep::close, 0, 2))
              .qty.str() == "0.1");
  }
  SECTION("it never reached the exchange: sent now under the same id") {
    CHECK(sends(run.order_answered(not_found()), Op::close, s.id(core::OrderStep::close, 0, 1)).qty.str() == "0.2");
  }
}

TEST_CASE("a piece after the first that fails ends the close there: the stage goes on with what was sold",
          "[stage_run]") {
  Stage1 s;
  s.filters.max_qty = Qty::parse("0.2");
  auto run = s.start();
  run.begin();
  run.intent_stored();
  sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2")), Op::close, s.id(core::OrderStep::close, 0, 1));
  std::string expected_note;
  SECTION("refused") {
    const auto step = run.order_answered(failed(Reason::rejected, "-2022", "ReduceOnly Order is rejected."));
    CHECK(has_note(step, Note::Level::warn, "goes on with the 0.2 closed by 1 piece(s)"));
    CHECK(sends(step, Op::stop).qty.str() == "1.3");
    expected_note = "filled 0.2 of 0.5";
  }
  SECTION("ended part filled") {
    CHECK(sends(run.order_answered(answered(OrderStatus::canceled, "0.2", "0.05", "2040")), Op::stop).qty.str() ==
          "1.25");
    expected_note = "filled 0.25 of 0.5";
  }
  run.order_answered(placed(s.id(core::OrderStep::stop), "10"));
  run.order_answered(answered(OrderStatus::canceled));
  run.order_answered(placed(s.id(core::OrderStep::take_profit), "11"));
  const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
  CHECK(result.record.state == StageState::done);  // never failed: a retry would sell again
  CHECK(result.record.closed_qty < Qty::parse("0.5"));
  const auto& done = expect<StageRun::Done>(run.result_stored());
  CHECK(done.outcome.kind == OutcomeKind::success);
  REQUIRE_FALSE(done.notes.empty());
  CHECK(done.notes.front() == expected_note);
}

TEST_CASE("recovery: the pieces of a split close are asked about one by one and only the unsent ones sent",
          "[stage_run][recovery]") {
  Stage1 s;
  s.filters.max_qty = Qty::parse("0.2");
  auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
  CHECK(sends(run.begin(), Op::query, s.id(core::OrderStep::close)).qty.str() == "0.2");
  sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2", "2050")), Op::query,
        s.id(core::OrderStep::close, 0, 1));
  SECTION("the second piece was open at the crash: polled until it ends") {
    expect<StageRun::Wait>(run.order_answered(answered(OrderStatus::open, "0.2", "0", "0")));
    sends(run.timer(), Op::query, s.id(core::OrderStep::close, 0, 1));
    sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2", "2050")), Op::query,
          s.id(core::OrderStep::close, 0, 2));
  }
  SECTION("the second piece never left: it is sent now, and the third asked about first") {
    const auto step = run.order_answered(not_found());
    CHECK(has_note(step, Note::Level::warn, "never reached the exchange; sending it"));
    CHECK(sends(step, Op::close, s.id(core::OrderStep::close, 0, 1)).qty.str() == "0.2");
    sends(run.order_answered(answered(OrderStatus::filled, "0.2", "0.2", "2050")), Op::query,
          s.id(core::OrderStep::close, 0, 2));
  }
  CHECK(sends(run.order_answered(not_found()), Op::close, s.id(core::OrderStep::close, 0, 2)).qty.str() == "0.1");
  sends(run.order_answered(answered(OrderStatus::filled, "0.1", "0.1", "2050")), Op::query, s.id(core::OrderStep::stop));
}

TEST_CASE("recovery: an intent whose close never reached the exchange is recorded not sent", "[stage_run][recovery]") {
  Stage1 s;
  auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
  const auto first = run.begin();
  sends(first, Op::query, s.id(core::OrderStep::close));
  CHECK(has_note(first, Note::Level::warn, "was left pending (the node stopped mid-stage)"));
  SECTION("not found") {
    const auto& result = expect<StageRun::StoreResult>(run.order_answered(not_found()));
    CHECK(result.record.state == StageState::failed);
    CHECK(result.record.outcome.reason == Reason::intent_not_sent);
    CHECK(result.record.attempt == 0);
    CHECK(result.position.position.remaining_size.str() == "1.5");
  }
  SECTION("found refused: it never became an order") {
    const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::rejected, "0.5", "0")));
    CHECK(result.record.state == StageState::failed);
    CHECK(result.record.outcome.reason == Reason::intent_not_sent);
  }
}

TEST_CASE("recovery: a close that ended part filled goes on with that, one that ended unfilled fails",
          "[stage_run][recovery]") {
  Stage1 s;
  auto half = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
  half.begin();
  const auto& stop = sends(half.order_answered(answered(OrderStatus::canceled, "0.5", "0.25")), Op::query,
                           s.id(core::OrderStep::stop));
  CHECK(stop.client_id == s.id(core::OrderStep::stop));
  CHECK(sends(half.order_answered(not_found()), Op::stop).qty.str() == "1.25");
  auto none = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
  none.begin();
  const auto& result = expect<StageRun::StoreResult>(none.order_answered(answered(OrderStatus::canceled, "0.5", "0")));
  CHECK(result.record.outcome.reason == Reason::close_unfilled);
  CHECK(result.position.position.remaining_size.str() == "1.5");
}

TEST_CASE("recovery: a take-profit found by its id is not placed again, a stop that cannot be looked up is not sent",
          "[stage_run][recovery]") {
  Stage1 s;
  SECTION("the take-profit was placed before the crash: the old one is cancelled, nothing else sent") {
    auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
    run.begin();
    run.order_answered(answered(OrderStatus::filled));
    sends(run.order_answered(placed(s.id(core::OrderStep::stop), "10")), Op::cancel);
    sends(run.order_answered(answered(OrderStatus::canceled)), Op::query, s.id(core::OrderStep::take_profit));
    CHECK(sends(run.order_answered(placed(s.id(core::OrderStep::take_profit), "11")), Op::cancel).ref.exchange_id == "2");
    const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
    CHECK(result.position.tp_order.exchange_id == "11");
  }
  SECTION("the stop's lookup fails: no stop is sent blind, the old one stays, the take-profit goes on") {
    auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
    run.begin();
    run.order_answered(answered(OrderStatus::filled));
    sends(run.order_answered(failed(Reason::unavailable, "", "HTTP 503")), Op::query, s.id(core::OrderStep::take_profit));
    sends(run.order_answered(not_found()), Op::take_profit);
    run.order_answered(placed(s.id(core::OrderStep::take_profit), "11"));
    const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
    CHECK(result.position.stop_order.client_id == "user-stop");
    CHECK(result.position.position.current_stop.str() == "1950");
    CHECK_FALSE(result.record.new_stop);
    CHECK(result.record.closed_qty.str() == "0.5");
  }
}

TEST_CASE("recovery: a close that went out is finished from there, every later order looked up before it is sent",
          "[stage_run][recovery]") {
  Stage1 s;
  SECTION("killed after the close filled: the stop is asked about, then placed") {
    auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
    run.begin();
    sends(run.order_answered(answered(OrderStatus::filled)), Op::query, s.id(core::OrderStep::stop));
    sends(run.order_answered(not_found()), Op::stop, s.id(core::OrderStep::stop));
    sends(run.order_answered(placed(s.id(core::OrderStep::stop), "10")), Op::cancel);
  }
  SECTION("killed after the new stop: it is found, not placed again; the old one is cancelled") {
    auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
    run.begin();
    run.order_answered(answered(OrderStatus::filled));
    const auto step = run.order_answered(placed(s.id(core::OrderStep::stop), "10"));
    CHECK(sends(step, Op::cancel).ref.exchange_id == "1");
    CHECK(has_note(step, Note::Level::warn, "was sent before the restart: open"));
    sends(run.order_answered(answered(OrderStatus::canceled)), Op::query, s.id(core::OrderStep::take_profit));
    sends(run.order_answered(not_found()), Op::take_profit);
    run.order_answered(placed(s.id(core::OrderStep::take_profit), "11"));
    const auto& result = expect<StageRun::StoreResult>(run.order_answered(answered(OrderStatus::canceled)));
    CHECK(result.position.stop_order.exchange_id == "10");
    CHECK(result.record.state == StageState::done);
  }
  SECTION("killed while the close was still open: it is polled until it ends") {
    auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
    run.begin();
    expect<StageRun::Wait>(run.order_answered(answered(OrderStatus::open, "0.5", "0", "0")));
    sends(run.timer(), Op::query, s.id(core::OrderStep::close));
  }
  SECTION("the exchange cannot be asked: the stage stays pending and asks again") {
    auto run = StageRun::resume(s.intent(), s.rec, Price::parse("2250"), s.filters, now);
    run.begin();
    const auto step = run.order_answered(failed(Reason::unavailable, "", "HTTP 503"));
    CHECK(expect<StageRun::Wait>(step).delay == StageRun::kRecoveryRetry);
    CHECK(has_note(step, Note::Level::error, "cannot ask the exchange (unavailable HTTP 503)"));
    sends(run.timer(), Op::query, s.id(core::OrderStep::close));
  }
  SECTION("a stage with nothing to close goes straight to its stop") {
    auto intent = s.intent();
    intent.planned_qty = Qty{};
    auto run = StageRun::resume(intent, s.rec, Price::parse("2250"), s.filters, now);
    sends(run.begin(), Op::query, s.id(core::OrderStep::stop));
    const auto& stop = sends(run.order_answered(not_found()), Op::stop, s.id(core::OrderStep::stop));
    CHECK(stop.qty.str() == "1.5");
  }
}
