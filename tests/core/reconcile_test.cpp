// Reconciliation as a state machine, without actors: what a slot as the exchange shows it calls
// for, and the repair's commands in order.
#include <catch2/catch.hpp>

#include "core/reconcile.hpp"
#include "test_order_steps.hpp"
#include "test_positions.hpp"

using namespace ptp;
using core::Note;
using core::OrderAnswer;
using core::OrderCommand;
using core::OrderKind;
using core::OrderState;
using core::OrderStatus;
using core::Price;
using core::Qty;
using core::Reconcile;
using Op = OrderCommand::Op;
using test::expect;

namespace {

// ETH long 1.5 @ 2000, stop 1950 (1R = 50), after stage 1: 1 left, the stop at 2000 (breakeven),
// the extreme take-profit at 5R = 2250.
struct AfterStage1 {
  core::PositionRecord rec;
  core::ExecutedStages done;
  core::StagePlan stages = core::StagePlan::default_plan();
  core::InstrumentFilters filters = test::eth_filters();
  std::string stop_id, tp_id;

  AfterStage1() {
    rec.position = test::adopted("ETH", core::Side::long_, "2000", "1950", "1.5");
    rec.position.remaining_size = Qty::parse("1");
    rec.position.current_stop = Price::parse("2000");
    stop_id = core::stage_order_id(rec.position.key, core::StageId{1}, 0, core::OrderStep::stop);
    tp_id = core::stage_order_id(rec.position.key, core::StageId{1}, 0, core::OrderStep::take_profit);
    rec.stop_order = core::OrderRef{stop_id, "10"};
    rec.tp_order = core::OrderRef{tp_id, "11"};
    rec.order_seq = 4;
    done.insert(core::StageId{1});
  }
  OrderState order(OrderKind kind, const std::string& id, const char* exchange_id, const char* trigger, const char* qty) const {
    return OrderState{{id, exchange_id}, kind, rec.position.key.symbol, core::Side::long_, Qty::parse(qty), {}, {},
                      Price::parse(trigger), OrderStatus::open};
  }
  // The slot as stage 1 left it.
  core::SlotView in_sync() const {
    return {Qty::parse("1"), {order(OrderKind::stop, stop_id, "10", "2000", "1"), order(OrderKind::take_profit, tp_id, "11", "2250", "1")}};
  }
  Reconcile plan(const core::SlotView& slot, bool observe = false) const {
    return Reconcile::plan(rec, done, Price::parse("2060"), filters, stages, observe, slot);
  }
};

OrderCommand sends(const Reconcile::Step& step, Op op) { return test::sends_order<Reconcile::Send>(step, op); }

OrderAnswer placed(const std::string& id, const char* exchange_id) {
  OrderAnswer a;
  a.ok = true;
  a.state.ref = core::OrderRef{id, exchange_id};
  a.state.status = OrderStatus::open;
  return a;
}
OrderAnswer ok() {
  OrderAnswer a;
  a.ok = true;
  a.state.status = OrderStatus::canceled;
  return a;
}

bool found(const Reconcile& r, Note::Level level, const std::string& text) {
  for (const auto& n : r.findings())
    if (n.level == level && n.text.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a slot that agrees with the record needs nothing", "[reconcile]") {
  AfterStage1 s;
  const auto r = s.plan(s.in_sync());
  CHECK_FALSE(r.needs_orders());
  CHECK_FALSE(r.record_changed());
  CHECK(r.findings().empty());
}

TEST_CASE("orders the exchange lists by its own id only (no client id) are still the record's", "[reconcile]") {
  AfterStage1 s;
  SECTION("in sync: nothing to do, nothing left over") {
    const core::SlotView slot{Qty::parse("1"), {s.order(OrderKind::stop, "", "10", "2000", "1"),
                                                 s.order(OrderKind::take_profit, "", "11", "2250", "1")}};
    const auto r = s.plan(slot);
    CHECK_FALSE(r.needs_orders());
    CHECK(r.findings().empty());
  }
  SECTION("the node's take-profit at the wrong size is the node's to resize, not the user's to keep") {
    const core::SlotView slot{Qty::parse("1"), {s.order(OrderKind::stop, "", "10", "2000", "1"),
                                                 s.order(OrderKind::take_profit, "", "11", "2250", "1.5")}};
    auto r = s.plan(slot);
    REQUIRE(r.needs_orders());
    expect<Reconcile::Reserve>(r.begin());
    const auto tp = sends(r.reserved(), Op::take_profit);
    CHECK(tp.qty.str() == "1");
    const auto cancel = sends(r.order_answered(placed(tp.client_id, "12")), Op::cancel);
    CHECK(cancel.ref.exchange_id == "11");
  }
}

TEST_CASE("a size changed outside: adopted, the stop and take-profit resized, each new one before the old goes",
          "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.size = Qty::parse("0.8");
  auto r = s.plan(slot);
  CHECK(r.resized());
  CHECK(found(r, Note::Level::warn, "size changed outside the node: 1 -> 0.8"));
  CHECK(found(r, Note::Level::warn, "stop on the exchange is 2000 x 1; the record calls for 2000 x 0.8: replacing it"));
  const auto reserve = expect<Reconcile::Reserve>(r.begin());
  CHECK(reserve.record.order_seq == 5);  // saved before the order that carries it goes out
  const auto stop = sends(r.reserved(), Op::stop);
  CHECK(stop.qty.str() == "0.8");
  CHECK(stop.trigger.str() == "2000");
  CHECK(stop.client_id == core::repair_order_id(s.rec.position.key, core::OrderStep::stop, 5));
  CHECK(sends(r.order_answered(placed(stop.client_id, "20")), Op::cancel).ref.client_id == s.stop_id);
  const auto tp_number = expect<Reconcile::Reserve>(r.order_answered(ok())).record;
  CHECK(tp_number.order_seq == 6);
  CHECK(tp_number.stop_order.exchange_id == "20");  // the stop just placed is saved with it
  const auto tp = sends(r.reserved(), Op::take_profit);
  CHECK(tp.qty.str() == "0.8");
  CHECK(tp.client_id == core::repair_order_id(s.rec.position.key, core::OrderStep::take_profit, 6));
  CHECK(sends(r.order_answered(placed(tp.client_id, "21")), Op::cancel).ref.client_id == s.tp_id);
  const auto save = expect<Reconcile::Save>(r.order_answered(ok()));
  CHECK(save.record.position.remaining_size.str() == "0.8");
  CHECK(save.record.stop_order.exchange_id == "20");
  CHECK(save.record.tp_order.exchange_id == "21");
  CHECK(save.record.order_seq == 6);
  CHECK(expect<Reconcile::Done>(r.saved()).record.stop_order.exchange_id == "20");
}

TEST_CASE("a stop missing from the exchange is put back at the level the done stages call for", "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.orders.erase(slot.orders.begin());  // the user cancelled it
  auto r = s.plan(slot);
  CHECK(found(r, Note::Level::critical, "has no stop on the exchange"));
  expect<Reconcile::Reserve>(r.begin());
  const auto stop = sends(r.reserved(), Op::stop);
  CHECK(stop.trigger.str() == "2000");
  const auto after = r.order_answered(placed(stop.client_id, "20"));  // nothing to cancel: straight to the save
  CHECK(expect<Reconcile::Save>(after).record.position.current_stop.str() == "2000");
  CHECK(after.notes.at(0).text == "stop restored at 2000 (breakeven) x 1");
}

TEST_CASE("a position adopted without a stop gets one, a stop the stages moved past is replaced", "[reconcile]") {
  AfterStage1 s;
  s.rec.stop_order = {};
  auto adopted = s.plan({Qty::parse("1"), {}});
  expect<Reconcile::Reserve>(adopted.begin());
  const auto stop = sends(adopted.reserved(), Op::stop);
  CHECK(stop.client_id == core::repair_order_id(s.rec.position.key, core::OrderStep::stop, 5));
  const auto placed_step = adopted.order_answered(placed(stop.client_id, "20"));
  CHECK(placed_step.notes.at(0).text.starts_with("stop placed at 2000"));
  // nothing to cancel; the take-profit is missing too, so its number comes next
  CHECK(expect<Reconcile::Reserve>(placed_step).record.order_seq == 6);

  AfterStage1 moved;
  moved.rec.position.current_stop = Price::parse("1950");  // stage 1's move was rejected
  auto slot = moved.in_sync();
  slot.orders[0].trigger_price = Price::parse("1950");
  auto r = moved.plan(slot);
  CHECK(found(r, Note::Level::warn, "stop on the exchange is 1950 x 1; the record calls for 2000 x 1"));
  expect<Reconcile::Reserve>(r.begin());
  CHECK(sends(r.reserved(), Op::stop).trigger.str() == "2000");
}

TEST_CASE("a stop the record lost but the node placed, at least as tight, is kept: the record follows it",
          "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.orders[0] = s.order(OrderKind::stop, core::client_order_id(s.rec.position.key, core::StageId{3}, core::OrderStep::stop, 9),
                           "30", "2010", "1");
  const auto r = s.plan(slot);
  CHECK_FALSE(r.needs_orders());
  CHECK(r.record_changed());
  CHECK(r.record().position.current_stop.str() == "2010");
  CHECK(r.record().stop_order.exchange_id == "30");
}

TEST_CASE("leftovers: the node's stale orders and looser stops go, a tighter stop of the user's stays, and so does "
          "the user's own take-profit",
          "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.orders.push_back(s.order(OrderKind::stop, core::repair_order_id(s.rec.position.key, core::OrderStep::stop, 2), "40", "1990", "1"));
  slot.orders.push_back(s.order(OrderKind::stop, "user-loose", "41", "1900", "1"));
  slot.orders.push_back(s.order(OrderKind::stop, "user-tight", "42", "2020", "0.3"));
  auto r = s.plan(slot);
  std::vector<std::string> cancelled;
  auto step = r.begin();
  while (auto* send = std::get_if<Reconcile::Send>(&step.command)) {
    cancelled.push_back(send->order.ref.client_id);
    step = r.order_answered(ok());
  }
  expect<Reconcile::Save>(step);
  CHECK(cancelled == std::vector<std::string>{core::repair_order_id(s.rec.position.key, core::OrderStep::stop, 2), "user-loose"});

  AfterStage1 users;
  users.rec.tp_order = core::OrderRef{"user-tp", "12"};
  auto own = users.in_sync();
  own.orders[1] = users.order(OrderKind::take_profit, "user-tp", "12", "2400", "0.4");
  CHECK_FALSE(users.plan(own).needs_orders());
}

TEST_CASE("a stop the exchange refuses: the position keeps its old one, and no stop is cancelled", "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.orders[0].trigger_price = Price::parse("1950");
  slot.orders.push_back(s.order(OrderKind::stop, "user-loose", "41", "1900", "1"));
  auto r = s.plan(slot);
  expect<Reconcile::Reserve>(r.begin());
  sends(r.reserved(), Op::stop);
  const OrderAnswer refused = test::failed(core::Reason::rejected, "-2021");
  const auto after = r.order_answered(refused);
  CHECK(after.notes.at(0).level == Note::Level::critical);
  CHECK(after.notes.at(0).text.find("the old stop stays") != std::string::npos);
  const auto save = expect<Reconcile::Save>(after);  // the looser user stop is not cancelled: no stop would be left
  CHECK(save.record.stop_order.client_id == s.stop_id);
}

TEST_CASE("an order number storage refuses: that order is not sent", "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.orders.erase(slot.orders.begin());
  auto r = s.plan(slot);
  expect<Reconcile::Reserve>(r.begin());
  const auto after = r.reserve_failed("No space left on device");
  CHECK(after.notes.at(0).text.find("not sent: its order number could not be saved") != std::string::npos);
  CHECK(after.notes.at(0).text.find("(THE POSITION HAS NO STOP)") != std::string::npos);
  const auto save = expect<Reconcile::Save>(after);
  CHECK(save.record.order_seq == 4);  // never sent: the number is handed out again next time
  auto again = Reconcile::plan(save.record, s.done, Price::parse("2060"), s.filters, s.stages, false, slot);
  CHECK(expect<Reconcile::Reserve>(again.begin()).record.order_seq == 5);
}

TEST_CASE("a repair's failures are reported and leave what the exchange has", "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.size = Qty::parse("0.8");
  slot.orders.push_back(s.order(OrderKind::stop, "user-loose", "41", "1900", "0.8"));
  auto r = s.plan(slot);
  expect<Reconcile::Reserve>(r.begin());
  const auto stop = sends(r.reserved(), Op::stop);
  sends(r.order_answered(placed(stop.client_id, "20")), Op::cancel);
  const auto cancelled = r.order_answered(test::failed(core::Reason::not_found, "-2011", "Unknown order sent."));
  CHECK(cancelled.notes.at(0).text == "stop restored at 2000 (breakeven) x 0.8; old stop: not_found -2011 Unknown order sent.");
  expect<Reconcile::Reserve>(cancelled);
  sends(r.reserved(), Op::take_profit);
  const OrderAnswer refused = test::failed(core::Reason::rejected, "-2021");
  const auto tp = r.order_answered(refused);
  CHECK(tp.notes.at(0).level == Note::Level::error);
  CHECK(tp.notes.at(0).text.starts_with("take-profit 2250 x 0.8 not placed: rejected -2021"));
  CHECK(sends(tp, Op::cancel).ref.client_id == "user-loose");  // the stop is right, so the looser one goes
  const auto leftover = r.order_answered(refused);
  CHECK(leftover.notes.at(0).level == Note::Level::error);
  CHECK(leftover.notes.at(0).text.starts_with("leftover stop user-loose"));
  const auto save = expect<Reconcile::Save>(leftover);
  CHECK(save.record.stop_order.exchange_id == "20");
  CHECK(save.record.tp_order == s.rec.tp_order);  // the previous take-profit, still there
  const auto unsaved = r.save_failed("MDB_PANIC");
  CHECK(expect<Reconcile::Done>(unsaved).record.stop_order.exchange_id == "20");
  CHECK(unsaved.notes.at(0).text == "repair not saved: MDB_PANIC");
}

TEST_CASE("a short position: its stop goes above the price, looser means higher", "[reconcile]") {
  core::PositionRecord rec;
  rec.position = test::adopted("ETH", core::Side::short_, "2000", "2050", "1.5");
  rec.stop_order = core::OrderRef{"gone-stop", "5"};
  rec.position.remaining_size = Qty::parse("1");
  rec.position.current_stop = Price::parse("2000");
  core::ExecutedStages done;
  done.insert(core::StageId{1});
  auto order = [&](const char* id, const char* trigger) {
    return OrderState{{id, id}, OrderKind::stop, rec.position.key.symbol, core::Side::short_, Qty::parse("1"), {}, {},
                      Price::parse(trigger), OrderStatus::open};
  };
  const core::SlotView slot{Qty::parse("1"), {order("user-loose", "2100"), order("user-tight", "1990")}};
  auto r = Reconcile::plan(rec, done, Price::parse("1940"), test::eth_filters(), core::StagePlan::default_plan(), false, slot);
  CHECK(found(r, Note::Level::critical, "placing 2000 now"));
  expect<Reconcile::Reserve>(r.begin());
  const auto stop = sends(r.reserved(), Op::stop);
  CHECK(stop.side == core::Side::short_);
  CHECK(stop.trigger.str() == "2000");
  expect<Reconcile::Reserve>(r.order_answered(placed(stop.client_id, "20")));
  const auto tp = sends(r.reserved(), Op::take_profit);
  CHECK(tp.trigger.str() == "1750");
  CHECK(sends(r.order_answered(placed(tp.client_id, "21")), Op::cancel).ref.client_id == "user-loose");
  expect<Reconcile::Save>(r.order_answered(ok()));
}

TEST_CASE("observe mode and a flat slot: the size is adopted, nothing is sent", "[reconcile]") {
  AfterStage1 s;
  auto slot = s.in_sync();
  slot.size = Qty::parse("0.5");
  const auto observed = s.plan(slot, /*observe=*/true);
  CHECK(observed.resized());
  CHECK_FALSE(observed.needs_orders());
  slot.size = Qty{};
  const auto flat = s.plan(slot);
  CHECK(flat.record().position.remaining_size.is_zero());
  CHECK_FALSE(flat.needs_orders());
}
