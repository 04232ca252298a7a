// The node never hammers the exchange: a position that the exchange closed behind its back costs at
// most one refused request before the node reconciles, and an order the exchange keeps refusing is
// tried again less and less often. The embedded simulator, the real actor system.
#include <catch2/catch.hpp>

#include <chrono>

#include "../support/temp_dir.hpp"
#include "node_harness.hpp"

using namespace ptp;
using core::OrderKind;
using core::Side;
using test::NodeHarness;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");

// The ETH long (1.5 @ 2000, stop 1950, 1R = 50) under a plan whose trailing stop starts at 3R and
// moves every 0.1R, with the extreme take-profit far away (100R) so that a long climb never fills it.
const std::string kTrailingPlan = R"(
[plan]
extreme_tp_r = 100
trail_step_r = 0.1
[[plan.stage]]
trigger_r = 1
close_fraction = "1/3"
move_stop_to_r = 0
[[plan.stage]]
trigger_r = 2
close_fraction = "1/3"
move_stop_to_r = 1
[[plan.stage]]
trigger_r = 3
close_fraction = 0
trail_r = 1
)";

// Stop placements the exchange received from `from` on, accepted or not.
int stop_requests(const exchange::SimExchange& sim, std::size_t from) {
  int n = 0;
  for (const auto& e : sim.journal(from))
    if (e.type == exchange::SimEvent::Type::place && e.kind == OrderKind::stop) ++n;
  return n;
}

struct TrailingNode {
  test::TempDir dir;
  config::Config cfg = test::node_config("execute", test::kEthLong + kTrailingPlan);
  std::shared_ptr<exchange::SimExchange> sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  NodeHarness n{cfg, sim, dir.path()};

  // Adopted, stages 1 to 3 done, the stop trailing.
  TrailingNode() {
    REQUIRE(n.reconcile().adopted == 1);
    for (const char* p : {"2050", "2100", "2150", "2160"}) {
      n.tick("ETH", p);
      n.settle();
    }
    REQUIRE(sim->position(kEth, Side::long_)->size.str() == "0.5");
  }
};

}  // namespace

TEST_CASE("a position closed on the exchange between two ticks costs at most one refused request", "[node][safety]") {
  TrailingNode t;
  t.sim->close_position(kEth, Side::long_);  // a liquidation, a manual close, a take-profit: gone
  const auto from = t.sim->journal_size();
  core::Price p = core::Price::parse("2160");
  for (int i = 0; i < 20; ++i) {  // each tick would move the trailing stop up by 0.2R
    p = p + core::Price::parse("10");
    t.n.tick("ETH", p.str().c_str());
    t.n.settle();
  }
  CHECK(stop_requests(*t.sim, from) <= 1);
  // The refusal made the position ask for a reconcile at once (no health check runs here): it finds
  // the position gone and stops its actor. Awaited by asking the registry, a round trip per try.
  bool gone = false;
  for (int i = 0; i < 100000 && !gone; ++i) gone = t.n.status().empty();
  CHECK(gone);
}

TEST_CASE("a trailing move the exchange keeps refusing waits 1 s then 2 s then 4 s: requests grow with the log of "
          "the time, not with the ticks",
          "[node][safety]") {
  TrailingNode t;
  exchange::SimFault refuse_stops;
  refuse_stops.kind = OrderKind::stop;
  refuse_stops.type = exchange::SimFault::Type::reject;
  refuse_stops.code = "-4014";  // a refusal that says nothing about the position
  refuse_stops.message = "Price not increased by tick size.";
  refuse_stops.count = 100000;
  t.sim->inject(refuse_stops);
  const auto from = t.sim->journal_size();
  core::Price p = core::Price::parse("2160");
  int ticks = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
  while (std::chrono::steady_clock::now() < until && ticks < 800) {  // each tick calls for a move
    p = p + core::Price::parse("5");
    t.n.tick("ETH", p.str().c_str());
    t.n.settle();
    ++ticks;
  }
  const int requests = stop_requests(*t.sim, from);
  INFO(ticks << " ticks, " << requests << " stop requests");
  REQUIRE(ticks >= 20);
  CHECK(requests >= 1);
  CHECK(requests <= 3);  // at 0 s, after 1 s, after 3 s at the latest
  CHECK(t.sim->position(kEth, Side::long_)->size.str() == "0.5");
}

TEST_CASE("a stage whose close the exchange refuses because the position is gone costs one request, then the "
          "position is seen closed",
          "[node][safety]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong + kTrailingPlan);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  NodeHarness n{cfg, sim, dir.path()};
  REQUIRE(n.reconcile().adopted == 1);
  sim->close_position(kEth, Side::long_);  // gone before stage 1 comes due
  const auto from = sim->journal_size();
  for (const char* p : {"2050", "2055", "2060", "2070", "2080", "2090"}) {  // stage 1 due on each
    n.tick("ETH", p);
    n.settle();
  }
  int closes = 0;
  for (const auto& e : sim->journal(from)) closes += e.type == exchange::SimEvent::Type::place ? 1 : 0;
  CHECK(closes == 1);
  bool gone = false;
  for (int i = 0; i < 100000 && !gone; ++i) gone = n.status().empty();
  CHECK(gone);
}

TEST_CASE("a stage the exchange keeps refusing is asked again by the market after 1 s then 2 s then 4 s, not on "
          "every tick",
          "[node][safety]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong + kTrailingPlan);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  NodeHarness n{cfg, sim, dir.path()};
  REQUIRE(n.reconcile().adopted == 1);
  exchange::SimFault refuse_closes;
  refuse_closes.kind = OrderKind::market_close;
  refuse_closes.type = exchange::SimFault::Type::reject;
  refuse_closes.code = "-4164";  // says nothing about the position
  refuse_closes.message = "Order's notional must be no smaller than 5.";
  refuse_closes.count = 100000;
  sim->inject(refuse_closes);
  const auto from = sim->journal_size();
  int ticks = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
  while (std::chrono::steady_clock::now() < until && ticks < 2000) {  // stage 1 due on every tick
    n.tick("ETH", ticks % 2 ? "2051" : "2052");
    n.settle();
    ++ticks;
  }
  int closes = 0;
  for (const auto& e : sim->journal(from)) closes += e.type == exchange::SimEvent::Type::place ? 1 : 0;
  INFO(ticks << " ticks, " << closes << " close requests");
  REQUIRE(ticks >= 20);
  CHECK(closes >= 1);
  CHECK(closes <= 3);
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1.5");
}
