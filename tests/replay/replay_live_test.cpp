// The replay agrees with the live node: one price path through the real node (actor system, LMDB in
// a temp dir, the embedded simulator, every tick through the tick gate) and through replay_trade
// makes the same orders, in the same order, with the same quantities, triggers and fills.
#include <catch2/catch.hpp>

#include "../actors/node_harness.hpp"
#include "core/client_order_id.hpp"
#include "replay/engine.hpp"

namespace ptp::test {
namespace {

std::string describe(const core::OrderState& o) {
  return std::string(core::to_string(o.kind)) + " qty " + o.qty.str() + " trigger " + o.trigger_price.str() +
         " filled " + o.filled_qty.str() + " @ " + o.avg_fill_price.str() + " " + std::string(core::to_string(o.status));
}

std::vector<std::string> describe(const std::vector<core::OrderState>& orders) {
  std::vector<std::string> out;
  for (const auto& o : orders) out.push_back(describe(o));
  return out;
}

// ETH long 1.5 @ 2000, stop 1950: a gap over stages 1 and 2 at 2105, stage 3 at 2160, the trail
// at 2180 and 2200 (not at 2182: less than the 0.1R step), its stop hit at 2140.
const std::vector<const char*> kPath = {"2000", "2030", "2105", "2140", "2160", "2180", "2182", "2200", "2140"};

}  // namespace

TEST_CASE("replay agrees with the live node on the embedded simulator: the same orders quantities triggers and fills", "[replay]") {
  TempDir dir;
  const config::Config cfg = node_config("execute", kEthLong);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  std::vector<core::OrderState> live;
  {
    NodeHarness n{cfg, sim, dir.path()};
    REQUIRE(n.reconcile().adopted == 1);  // the take-profit is placed at adoption
    for (const char* price : kPath) {
      n.tick("ETH", price);
      n.settle();
    }
    for (const auto& o : sim->order_log()) live.push_back(o);
  }

  std::vector<replay::Tick> path;
  std::int64_t ms = 1'700'000'000'000;
  for (const char* price : kPath) path.push_back({ms += 1000, core::Price::parse(price)});
  const auto& p = cfg.sim->positions.at(0);
  const replay::PositionSpec spec{p.symbol, p.side, std::nullopt, p.entry, p.size, p.stop, "test"};
  const replay::ReplaySettings settings{cfg.dedupe_window, cfg.default_stop_pct, cfg.account};
  const replay::TradeResult t =
      replay::replay_trade(spec, cfg.sim->instrument(p.symbol)->filters, {"config", cfg.plan, false}, path, settings);

  // Every order of both, the user's stop first: kind, size, trigger, fill and how it ended.
  CHECK(describe(t.orders) == describe(live));
  REQUIRE(live.size() >= 9);  // user stop, take-profit, 2 closes, 4 stops, 2 take-profit resizes

  // And what the report shows: the closes the node sent, the stops it placed, the stop that filled.
  std::vector<std::string> live_closes, live_stops;
  for (const auto& o : live) {
    if (o.kind == core::OrderKind::market_close) live_closes.push_back(o.filled_qty.str() + " @ " + o.avg_fill_price.str());
    if (o.kind == core::OrderKind::stop && core::is_node_order(o.ref.client_id)) live_stops.push_back(o.trigger_price.str());
  }
  std::vector<std::string> replay_closes, replay_stops;
  for (const auto& s : t.stages)
    if (s.qty.is_positive()) replay_closes.push_back(s.qty.str() + " @ " + s.price.str());
  for (std::size_t i = 1; i < t.stops.size(); ++i) replay_stops.push_back(t.stops[i].stop.str());
  CHECK(replay_closes == live_closes);
  CHECK(replay_closes == std::vector<std::string>{"0.5 @ 2105", "0.5 @ 2105"});
  CHECK(replay_stops == live_stops);
  CHECK(replay_stops == std::vector<std::string>{"2000", "2050", "2130", "2150"});
  REQUIRE_FALSE(t.exits.empty());
  CHECK(t.exits.back().by == "stop");
  CHECK(t.exits.back().price == core::Price::parse("2140"));
}

}  // namespace ptp::test
