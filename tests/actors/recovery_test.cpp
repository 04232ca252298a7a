// A node that stopped between a stage's intent and its result (a crash, a kill -9) resolves the
// intent at the next start by asking the exchange, never by sending blindly. The crash is
// reproduced exactly: the first node adopts the position and stops; the intent (and, where the
// crash came later, the close) are then written as the dead run would have left them.
#include <catch2/catch.hpp>

#include <optional>

#include "../support/resends.hpp"
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

// The adopted ETH long, and stage 1's intent as a run that died left it.
struct Crashed : test::AdoptedEthLong {
  storage::StageRecord intent;

  Crashed() {
    intent = test::eth_stage1_intent(kKey);
    storage::HistoryStore store(dir.path());
    REQUIRE(store.begin_stage(intent).result == storage::HistoryStore::BeginResult::started);
    sim->set_mark(kEth, Price::parse("2050"));
  }

  std::vector<core::OrderState> orders(OrderKind kind, std::optional<OrderStatus> status = std::nullopt) const {
    std::vector<core::OrderState> out;
    for (const auto& o : sim->order_log())
      if (o.kind == kind && (!status || o.status == *status)) out.push_back(o);
    return out;
  }
};

std::optional<storage::StageRecord> stage_record(NodeHarness& n, std::uint8_t stage) {
  for (const auto& s : n.store().stages(kKey))
    if (s.stage.value == stage) return s;
  return std::nullopt;
}

}  // namespace

TEST_CASE("killed after the close filled: the restart finds the close, moves the stop and never closes again",
          "[recovery]") {
  Crashed c;
  c.sim->close_market(kEth, Side::long_, Qty::parse("0.5"), c.intent.close_client_id);  // sent before the kill

  NodeHarness n{c.cfg, c.sim, c.dir.path()};
  CHECK(n.reconcile().resumed == 1);
  n.settle();
  REQUIRE(c.orders(OrderKind::market_close).size() == 1);
  const auto rec = stage_record(n, 1);
  REQUIRE(rec);
  CHECK(rec->state == storage::StageState::done);
  CHECK(rec->closed_qty.str() == "0.5");
  const auto stops = c.orders(OrderKind::stop, OrderStatus::open);
  REQUIRE(stops.size() == 1);  // the user's stop was replaced, never left alongside or missing
  CHECK(stops[0].trigger_price.str() == "2000");
  CHECK(stops[0].qty.str() == "1");
  const auto tps = c.orders(OrderKind::take_profit, OrderStatus::open);
  REQUIRE(tps.size() == 1);
  CHECK(tps[0].qty.str() == "1");

  // Every caller at the same level: nothing more. Stage 2 at 2R: once.
  n.tick("ETH", "2051");
  n.settle();
  CHECK(n.execute("ETH", Side::long_, core::Caller::health_check, std::nullopt, "2052").outcome.kind ==
        core::OutcomeKind::recently_executed);
  CHECK(c.orders(OrderKind::market_close).size() == 1);
  n.tick("ETH", "2100");
  n.settle();
  CHECK(c.orders(OrderKind::market_close).size() == 2);
  CHECK(c.sim->position(kEth, Side::long_)->size.str() == "0.5");
  CHECK(c.sim->placements(c.intent.close_client_id) == 1);  // the one sent before the kill
  CHECK(test::resends(*c.sim).empty());
}

TEST_CASE("killed after the new stop was placed: the restart reuses that stop and cancels the old one",
          "[recovery]") {
  Crashed c;
  c.sim->close_market(kEth, Side::long_, Qty::parse("0.5"), c.intent.close_client_id);
  c.sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("2000"), Qty::parse("1"),
                           c.intent.stop_client_id);

  NodeHarness n{c.cfg, c.sim, c.dir.path()};
  n.reconcile();
  n.settle();
  CHECK(c.orders(OrderKind::market_close).size() == 1);
  CHECK(c.orders(OrderKind::stop).size() == 2);  // the user's and the one placed before the kill: no third
  const auto stops = c.orders(OrderKind::stop, OrderStatus::open);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].ref.client_id == c.intent.stop_client_id);
  CHECK(stage_record(n, 1)->state == storage::StageState::done);
  CHECK(c.sim->placements(c.intent.stop_client_id) == 1);  // looked up, not placed again
  CHECK(test::resends(*c.sim).empty());
}

TEST_CASE("killed after the intent, before the close went out: the stage is recorded not sent and runs once when due",
          "[recovery]") {
  Crashed c;
  NodeHarness n{c.cfg, c.sim, c.dir.path()};
  n.reconcile();
  n.settle();
  CHECK(c.orders(OrderKind::market_close).empty());
  CHECK(c.sim->placements(c.intent.close_client_id) == 0);  // asked about, never sent
  // Failed, so retryable, under the next attempt number; the event history keeps why.
  REQUIRE(stage_record(n, 1));
  CHECK(stage_record(n, 1)->state == storage::StageState::failed);
  CHECK(stage_record(n, 1)->attempt == 0);
  const auto events = n.store().history(kKey, c.intent.at, core::Clock::now());
  REQUIRE(events.size() == 2);
  CHECK(events[1].state == storage::StageState::failed);
  CHECK(events[1].outcome.reason == core::Reason::intent_not_sent);
  CHECK(c.orders(OrderKind::stop, OrderStatus::open).at(0).trigger_price.str() == "1950");  // still protected

  n.tick("ETH", "2050");
  n.settle();
  const auto closes = c.orders(OrderKind::market_close);
  REQUIRE(closes.size() == 1);
  // The second attempt's orders have ids of their own, each sent once.
  const std::string retry_close = core::stage_order_id(kKey, core::StageId{1}, 1, core::OrderStep::close);
  CHECK(closes[0].ref.client_id == retry_close);
  CHECK(c.sim->placements(retry_close) == 1);
  CHECK(c.sim->placements(core::stage_order_id(kKey, core::StageId{1}, 1, core::OrderStep::stop)) == 1);
  CHECK(stage_record(n, 1)->state == storage::StageState::done);
  CHECK(stage_record(n, 1)->attempt == 1);
  n.tick("ETH", "2060");
  n.settle();
  CHECK(c.orders(OrderKind::market_close).size() == 1);
  CHECK(test::resends(*c.sim).empty());
}
