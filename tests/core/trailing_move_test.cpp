// A trailing stop move as a state machine, without actors: its number saved first, the new stop
// before the old one's cancel, and what each failure leaves.
#include <catch2/catch.hpp>

#include "core/client_order_id.hpp"
#include "core/trailing_move.hpp"
#include "test_order_steps.hpp"
#include "test_positions.hpp"

using namespace ptp;
using core::Note;
using core::OrderAnswer;
using core::OrderCommand;
using core::OrderStatus;
using core::Price;
using core::Qty;
using core::Reason;
using core::RecordWork;
using core::TrailingMove;
using Op = OrderCommand::Op;
using test::expect;
using test::failed;

namespace {

// ETH long 1.5 @ 2000, stop 1950; after stages 1 and 2 (0.5 left, the stop at 2050), trailing from
// stage 3 with the mark's best at 2300: the stop goes to 2200.
struct Trailing {
  core::PositionRecord rec;
  core::StageId stage{3};
  core::StopPrice stop{Price::parse("2200"), false};
  Price best = Price::parse("2300");

  Trailing() {
    rec.position = test::adopted("ETH", core::Side::long_, "2000", "1950", "1.5");
    rec.position.remaining_size = Qty::parse("0.5");
    rec.position.current_stop = Price::parse("2050");
    rec.stop_order = core::OrderRef{"old-stop", "10"};
    rec.tp_order = core::OrderRef{"tp", "11"};
    rec.order_seq = 7;
  }
  TrailingMove move() const { return TrailingMove(rec, stop, best, stage); }
  std::string id(std::uint32_t seq) const { return core::client_order_id(rec.position.key, stage, core::OrderStep::stop, seq); }
};

OrderCommand sends(const RecordWork::Step& step, Op op) { return test::sends_order<RecordWork::Send>(step, op); }

OrderAnswer answered(const std::string& id, const char* exchange_id, OrderStatus status = OrderStatus::open) {
  OrderAnswer a;
  a.ok = true;
  a.state.ref = core::OrderRef{id, exchange_id};
  a.state.status = status;
  return a;
}

bool has_note(const RecordWork::Step& step, Note::Level level, const std::string& text) {
  for (const auto& n : step.notes)
    if (n.level == level && n.text == text) return true;
  return false;
}

}  // namespace

TEST_CASE("a trailing move: its number saved, the new stop placed, the old one cancelled, the record saved",
          "[trailing_move]") {
  Trailing t;
  auto m = t.move();
  const auto reserved = expect<RecordWork::Reserve>(m.begin()).record;
  CHECK(reserved.order_seq == 8);  // saved before the order carrying it
  CHECK(reserved.position.trail_best == t.best);
  CHECK(reserved.stop_order == t.rec.stop_order);
  const auto stop = sends(m.reserved(), Op::stop);
  CHECK(stop.client_id == t.id(8));
  CHECK(stop.trigger.str() == "2200");
  CHECK(stop.qty.str() == "0.5");
  CHECK(stop.side == core::Side::long_);
  CHECK(sends(m.order_answered(answered(stop.client_id, "20")), Op::cancel).ref.client_id == "old-stop");
  const auto step = m.order_answered(answered("old-stop", "10", OrderStatus::canceled));
  const auto save = expect<RecordWork::Save>(step);
  CHECK(save.record.position.current_stop.str() == "2200");
  CHECK(save.record.stop_order == core::OrderRef{t.id(8), "20"});
  CHECK(save.record.tp_order == t.rec.tp_order);
  CHECK(save.record.order_seq == 8);
  CHECK(save.record.position.trail_best == t.best);
  CHECK(has_note(step, Note::Level::info, "trailing stop 2050 -> 2200 (+4R) (best 2300)"));
  const auto done = expect<RecordWork::Done>(m.saved());
  CHECK(done.record.stop_order.exchange_id == "20");
}

TEST_CASE("a trailing move whose number cannot be saved sends nothing", "[trailing_move]") {
  Trailing t;
  auto m = t.move();
  expect<RecordWork::Reserve>(m.begin());
  const auto step = m.reserve_failed("LMDB commit: No space left on device");
  const auto done = expect<RecordWork::Done>(step);
  CHECK(done.record.order_seq == 7);  // handed out again next time: it never went out
  CHECK(done.record.stop_order == t.rec.stop_order);
  CHECK(done.record.position.current_stop.str() == "2050");
  CHECK(has_note(step, Note::Level::error,
                 "the next order number could not be saved (LMDB commit: No space left on device); nothing sent"));
}

TEST_CASE("a trailing stop the exchange refuses leaves the old stop, and its number is used up", "[trailing_move]") {
  Trailing t;
  auto m = t.move();
  expect<RecordWork::Reserve>(m.begin());
  sends(m.reserved(), Op::stop);
  const auto step = m.order_answered(failed(Reason::rejected, "-2021", "Order would immediately trigger."));
  const auto done = expect<RecordWork::Done>(step);  // no cancel of the old stop
  CHECK(done.record.stop_order == t.rec.stop_order);
  CHECK(done.record.position.current_stop.str() == "2050");
  CHECK(done.record.order_seq == 8);  // the next move gets a new id
  CHECK(has_note(step, Note::Level::warn,
                 "trailing stop 2200 failed: rejected -2021 Order would immediately trigger.; the stop stays 2050"));
}

TEST_CASE("a trailing stop whose answer timed out is looked up by its id, never sent again", "[trailing_move]") {
  Trailing t;
  auto m = t.move();
  expect<RecordWork::Reserve>(m.begin());
  const auto stop = sends(m.reserved(), Op::stop);
  const auto lookup = sends(m.order_answered(failed(Reason::timeout)), Op::query);
  CHECK(lookup.client_id == stop.client_id);
  SECTION("the exchange has it: the move goes on") {
    CHECK(sends(m.order_answered(answered(stop.client_id, "20")), Op::cancel).ref.client_id == "old-stop");
  }
  SECTION("it never arrived: the old stop stays") {
    const auto done = expect<RecordWork::Done>(m.order_answered(test::not_found()));
    CHECK(done.record.stop_order == t.rec.stop_order);
    CHECK(done.record.order_seq == 8);  // its id may exist after all: never handed out again
  }
}

TEST_CASE("a trailing move with no stop on record places one and cancels nothing", "[trailing_move]") {
  Trailing t;
  t.rec.stop_order = {};
  auto m = t.move();
  expect<RecordWork::Reserve>(m.begin());
  const auto stop = sends(m.reserved(), Op::stop);
  const auto save = expect<RecordWork::Save>(m.order_answered(answered(stop.client_id, "20")));
  CHECK(save.record.stop_order.exchange_id == "20");
}

TEST_CASE("a trailing move whose old stop cannot be cancelled, or whose record cannot be saved, keeps the new stop",
          "[trailing_move]") {
  Trailing t;
  auto m = t.move();
  expect<RecordWork::Reserve>(m.begin());
  const auto stop = sends(m.reserved(), Op::stop);
  sends(m.order_answered(answered(stop.client_id, "20")), Op::cancel);
  const auto step = m.order_answered(failed(Reason::rejected, "-2011", "Unknown order sent."));
  CHECK(has_note(step, Note::Level::warn, "old stop cancel: rejected -2011 Unknown order sent."));
  CHECK(expect<RecordWork::Save>(step).record.position.current_stop.str() == "2200");
  const auto unsaved = m.save_failed("MDB_PANIC");
  CHECK(expect<RecordWork::Done>(unsaved).record.stop_order.exchange_id == "20");  // the exchange has it either way
  CHECK(has_note(unsaved, Note::Level::error, "trailing stop placed on the exchange but not saved: MDB_PANIC"));
}
