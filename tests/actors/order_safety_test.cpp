// The node never hammers the exchange: a position that the exchange closed behind its back costs at
// most one refused request before the node reconciles, and an order the exchange keeps refusing is
// tried again less and less often. The embedded simulator, the real actor system.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <thread>

#include "../support/plan_toml.hpp"
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
const std::string kTrailingPlan = test::trailing_plan_toml(100);

// Stop placements the exchange received from `from` on, accepted or not.
int stop_requests(const exchange::SimExchange& sim, std::size_t from) {
  int n = 0;
  for (const auto& e : sim.journal(from))
    if (e.type == exchange::SimEvent::Type::place && e.kind == OrderKind::stop) ++n;
  return n;
}

// Retries of a failed action: none (the hold alone is tested), or quick ones (1.2 s show several).
void no_retry_wait(actors::NodeSettings& s) { s.retry_first = s.retry_max = {}; }
void quick_retries(actors::NodeSettings& s) { s.retry_first = std::chrono::milliseconds(100); }

// Ticks the scenario at a steady pace (one every 5 ms: the market's, not a synchronisation; each tick
// is awaited with settle()) for `duration`; returns how many were sent.
int tick_for(NodeHarness& n, std::chrono::milliseconds duration, const std::function<std::string(int)>& price) {
  int ticks = 0;
  for (const auto until = std::chrono::steady_clock::now() + duration; std::chrono::steady_clock::now() < until; ++ticks) {
    n.tick("ETH", price(ticks).c_str());
    n.settle();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return ticks;
}

struct TrailingNode {
  test::TempDir dir;
  config::Config cfg = test::node_config("execute", test::kEthLong + kTrailingPlan);
  std::shared_ptr<exchange::SimExchange> sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  NodeHarness n;

  // Adopted, stages 1 to 3 done, the stop trailing.
  explicit TrailingNode(void (*tune)(actors::NodeSettings&)) : n(cfg, sim, dir.path(), nullptr, tune) {
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
  TrailingNode t(no_retry_wait);  // only the hold keeps the node from sending again
  t.sim->close_position(kEth, Side::long_);  // a liquidation, a manual close, a take-profit: gone
  const auto from = t.sim->journal_size();
  core::Price p = core::Price::parse("2160");
  for (int i = 0; i < 20; ++i) {  // each tick would move the trailing stop up by 0.2R
    p = p + core::Price::parse("10");
    t.n.tick("ETH", p.str().c_str());
    t.n.settle();
  }
  CHECK(stop_requests(*t.sim, from) == 1);
  // The refusal made the position ask for a reconcile at once (no health check runs here): it finds
  // the position gone and stops its actor. Awaited by asking the registry, a round trip per try.
  bool gone = false;
  for (int i = 0; i < 100000 && !gone; ++i) gone = t.n.status().empty();
  CHECK(gone);
}

TEST_CASE("a trailing move the exchange keeps refusing waits longer each time: requests grow with the log of the "
          "time, not with the ticks",
          "[node][safety]") {
  TrailingNode t(quick_retries);  // waits of 0.1 s, 0.2 s, 0.4 s ...
  exchange::SimFault refuse_stops;
  refuse_stops.kind = OrderKind::stop;
  refuse_stops.type = exchange::SimFault::Type::reject;
  refuse_stops.code = "-4014";  // a refusal that says nothing about the position
  refuse_stops.message = "Price not increased by tick size.";
  refuse_stops.count = 100000;
  t.sim->inject(refuse_stops);
  const auto from = t.sim->journal_size();
  // Each tick calls for a move (a new best 5 = 0.1R higher).
  const int ticks = tick_for(t.n, std::chrono::milliseconds(1200), [](int i) { return std::to_string(2165 + 5 * i); });
  const int requests = stop_requests(*t.sim, from);
  INFO(ticks << " ticks, " << requests << " stop requests");
  REQUIRE(ticks >= 20);
  // At 0 s, then after 0.1, 0.3 and 0.7 s: 4 (a slow machine's ticks land later, never more often).
  CHECK(requests >= 3);
  CHECK(requests <= 5);
  CHECK(t.sim->position(kEth, Side::long_)->size.str() == "0.5");
}

TEST_CASE("a stage whose close the exchange refuses because the position is gone costs one request, then the "
          "position is seen closed",
          "[node][safety]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong + kTrailingPlan);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  NodeHarness n{cfg, sim, dir.path(), nullptr, no_retry_wait};  // only the hold keeps it from sending again
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

TEST_CASE("a stage the exchange keeps refusing is asked again by the market less and less often, not on every tick",
          "[node][safety]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong + kTrailingPlan);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  NodeHarness n{cfg, sim, dir.path(), nullptr, quick_retries};
  REQUIRE(n.reconcile().adopted == 1);
  exchange::SimFault refuse_closes;
  refuse_closes.kind = OrderKind::market_close;
  refuse_closes.type = exchange::SimFault::Type::reject;
  refuse_closes.code = "-4164";  // says nothing about the position
  refuse_closes.message = "Order's notional must be no smaller than 5.";
  refuse_closes.count = 100000;
  sim->inject(refuse_closes);
  const auto from = sim->journal_size();
  // Stage 1 is due on every tick.
  const int ticks = tick_for(n, std::chrono::milliseconds(1200), [](int i) { return i % 2 ? "2051" : "2052"; });
  int closes = 0;
  for (const auto& e : sim->journal(from)) closes += e.type == exchange::SimEvent::Type::place ? 1 : 0;
  INFO(ticks << " ticks, " << closes << " close requests");
  REQUIRE(ticks >= 20);
  CHECK(closes >= 3);  // at 0 s, then after 0.1, 0.3 and 0.7 s
  CHECK(closes <= 5);
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1.5");
}
