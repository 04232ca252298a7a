// Reconciliation inside one position actor, driven message by message: the test spawns the actor
// itself (with the node's real persistence, exchange and market-data actors) so it can hand it
// exchange snapshots taken at chosen moments, the way the registry does at every health check.
#include <catch2/catch.hpp>

#include "../support/temp_dir.hpp"
#include "core/client_order_id.hpp"
#include "node_harness.hpp"

using namespace ptp;
using core::OrderKind;
using core::OrderStatus;
using core::Price;
using core::Qty;
using core::Side;
using test::NodeHarness;

namespace {

using test::kEth;
const core::PositionKey kKey = test::kEthKey;

// The adopted ETH long; a second node's actors, with no registry position, and a position actor of
// the test's own.
struct Fixture : test::AdoptedEthLong {
  std::optional<NodeHarness> node;
  std::optional<caf::scoped_actor> self;
  actors::position_actor position;

  Fixture() {
    node.emplace(cfg, sim, dir.path());
    auto rec = node->store().position(kKey);
    REQUIRE(rec);
    position = actors::spawn_position(node->system(), node->position_deps(), *rec, {}, sim->filters(kEth));
    self.emplace(node->system());
  }
  ~Fixture() { (*self)->send_exit(position, caf::exit_reason::user_shutdown); }

  // The exchange's view of the slot now, as the registry hands it over.
  actors::SlotSnapshot snapshot() const {
    actors::SlotSnapshot s;
    s.taken_ns = core::steady_now_ns();
    s.size = sim->position(kEth, Side::long_) ? sim->position(kEth, Side::long_)->size : Qty{};
    for (const auto& o : sim->open_orders())
      if (o.symbol == kEth && o.position_side == Side::long_) s.orders.push_back(o);
    return s;
  }
  void check(const actors::SlotSnapshot& s) {
    (*self)->send(position, actors::check_atom_v, s);
    idle();
  }
  void idle() {
    (*self)->request(position, caf::infinite, actors::idle_atom_v).receive([](bool) {}, [](caf::error& e) { FAIL(to_string(e)); });
  }
  actors::ExecuteReply stage1() {
    sim->set_mark(kEth, Price::parse("2050"));
    actors::ExecuteReply out;
    (*self)
        ->request(position, caf::infinite, actors::execute_atom_v,
                  actors::ExecuteRequest{core::Caller::operator_, std::nullopt, Price::parse("2050")})
        .receive([&](const actors::ExecuteReply& r) { out = r; }, [](caf::error& e) { FAIL(to_string(e)); });
    idle();  // the flight ends just after the reply: a snapshot asked for before then counts as stale
    return out;
  }
  storage::PositionRecord record() {
    actors::PositionStatus out;
    (*self)->request(position, caf::infinite, actors::status_atom_v)
        .receive([&](const actors::PositionStatus& s) { out = s; }, [](caf::error& e) { FAIL(to_string(e)); });
    return out.record;
  }
  // The requests (placements and cancels, accepted or not) the exchange received after journal
  // entry `from`, as "place <client id>" / "cancel <client id>", in order.
  std::vector<std::string> requests(std::size_t from = 0) const {
    std::vector<std::string> out;
    for (const auto& e : sim->journal(from))
      if (e.type != exchange::SimEvent::Type::update)
        out.push_back((e.type == exchange::SimEvent::Type::place ? "place " : "cancel ") + e.client_id);
    return out;
  }
  std::size_t now() const { return sim->journal().size(); }
  std::vector<core::OrderState> open(OrderKind kind) const {
    std::vector<core::OrderState> out;
    for (const auto& o : sim->open_orders())
      if (o.kind == kind) out.push_back(o);
    return out;
  }
};

}  // namespace

TEST_CASE("a snapshot asked for before a stage and delivered after it changes nothing", "[reconcile]") {
  Fixture f;
  const auto before = f.snapshot();  // 1.5 with the user's stop: true when asked for, stale when read
  REQUIRE(f.stage1().outcome.kind == core::OutcomeKind::success);
  const auto after_stage = f.now();
  f.check(before);
  CHECK(f.requests(after_stage).empty());  // no stop re-placed for 1.5, nothing cancelled
  CHECK(f.record().position.remaining_size.str() == "1");
  f.check(f.snapshot());  // a fresh one agrees with the record: nothing to do either
  CHECK(f.requests(after_stage).empty());
}

TEST_CASE("a stop missing from the exchange is restored at the level the done stages call for", "[reconcile]") {
  Fixture f;
  REQUIRE(f.stage1().outcome.kind == core::OutcomeKind::success);
  const auto stop = f.open(OrderKind::stop).at(0);
  f.sim->cancel(kEth, stop.ref);  // the user (or the exchange) removed it
  const auto removed = f.now();
  f.check(f.snapshot());
  const auto stops = f.open(OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2000");
  CHECK(stops[0].qty.str() == "1");
  CHECK(f.record().stop_order == stops[0].ref);
  CHECK(f.requests(removed) == std::vector<std::string>{"place " + stops[0].ref.client_id});  // nothing to cancel
}

TEST_CASE("a stop the last stage failed to move is moved to the stage's level, the old one cancelled", "[reconcile]") {
  Fixture f;
  exchange::SimFault reject;
  reject.kind = OrderKind::stop;
  f.sim->inject(reject);
  const auto reply = f.stage1();
  REQUIRE(reply.outcome.kind == core::OutcomeKind::success);  // closed; the old stop stayed
  REQUIRE(f.open(OrderKind::stop).at(0).trigger_price.str() == "1950");
  const auto before = f.now();
  f.check(f.snapshot());
  const auto stops = f.open(OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2000");
  CHECK(stops[0].qty.str() == "1");
  CHECK(f.record().position.current_stop.str() == "2000");
  // The new stop first, then the old one cancelled: never a moment without one.
  CHECK(f.requests(before) ==
        std::vector<std::string>{"place " + stops[0].ref.client_id, "cancel user-stop-ETH_USDT-long"});
}

TEST_CASE("a size changed outside the node is adopted, and the stop and take-profit follow it", "[reconcile]") {
  Fixture f;
  REQUIRE(f.stage1().outcome.kind == core::OutcomeKind::success);
  const auto stage_stop = f.open(OrderKind::stop).at(0).ref.client_id;
  const auto stage_tp = f.open(OrderKind::take_profit).at(0).ref.client_id;
  f.sim->close_market(kEth, Side::long_, Qty::parse("0.2"), "user-close-1");  // the user closed part by hand
  const auto closed = f.now();
  f.check(f.snapshot());
  CHECK(f.record().position.remaining_size.str() == "0.8");
  const auto stops = f.open(OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].qty.str() == "0.8");
  CHECK(stops[0].trigger_price.str() == "2000");
  const auto tps = f.open(OrderKind::take_profit);
  REQUIRE(tps.size() == 1);
  CHECK(tps[0].qty.str() == "0.8");
  // Each replaced: the new one placed before the old one is cancelled.
  CHECK(f.requests(closed) == std::vector<std::string>{"place " + stops[0].ref.client_id, "cancel " + stage_stop,
                                                      "place " + tps[0].ref.client_id, "cancel " + stage_tp});
  const auto replaced = f.now();
  f.check(f.snapshot());  // and then it agrees
  CHECK(f.requests(replaced).empty());
}

TEST_CASE("leftover stops are cancelled: the node's old ones and looser ones, never a tighter one of the user's",
          "[reconcile]") {
  Fixture f;
  REQUIRE(f.stage1().outcome.kind == core::OutcomeKind::success);
  // An earlier stop of the node's whose cancel was lost, and two of the user's: looser and tighter.
  f.sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1990"), Qty::parse("1"),
                           core::client_order_id(kKey, core::StageId{0}, core::OrderStep::stop, 7));
  f.sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1900"), Qty::parse("1"), "user-loose");
  f.sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("2020"), Qty::parse("0.3"), "user-tight");
  const auto placed = f.now();
  f.check(f.snapshot());
  const std::string leftover = core::client_order_id(kKey, core::StageId{0}, core::OrderStep::stop, 7);
  CHECK(f.requests(placed) == std::vector<std::string>{"cancel " + leftover, "cancel user-loose"});
  std::vector<std::string> left;
  for (const auto& o : f.open(OrderKind::stop)) left.push_back(o.ref.client_id + "@" + o.trigger_price.str());
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{core::client_order_id(kKey, core::StageId{1}, core::OrderStep::stop) + "@2000",
                                         "user-tight@2020"});
}

TEST_CASE("a stop the record lost but the node placed, at least as tight, is kept instead of a new one", "[reconcile]") {
  Fixture f;
  REQUIRE(f.stage1().outcome.kind == core::OutcomeKind::success);
  // A trailing move to 2010 whose record was lost (storage failed, then a crash): the exchange has
  // that stop, the record still names the stage's stop at 2000, which is gone.
  const auto stage_stop = f.open(OrderKind::stop).at(0);
  const std::string trailed = core::client_order_id(kKey, core::StageId{1}, core::OrderStep::stop, 9);
  f.sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("2010"), Qty::parse("1"), trailed);
  f.sim->cancel(kEth, stage_stop.ref);
  const auto before = f.now();
  f.check(f.snapshot());
  CHECK(f.requests(before).empty());  // nothing placed, nothing cancelled
  CHECK(f.record().stop_order.client_id == trailed);
  CHECK(f.record().position.current_stop.str() == "2010");
}
