// A replayed trade worked out by hand: every fill, stop step and PnL below is computed in the
// comments from the plan (1R: close 1/3, stop to breakeven; 2R: close 1/3, stop to +1R; 3R: trail by
// 1R in steps of at least 0.1R; take-profit at 5R) and the price path, not read off the code.
#include <catch2/catch.hpp>

#include "replay/engine.hpp"

namespace ptp::replay {
namespace {

using core::Price;
using core::Qty;

const core::InstrumentFilters kFilters =
    core::InstrumentFilters::in_base_units(Price::parse("0.01"), Qty::parse("0.001"), Qty::parse("0.001"), {});

std::vector<Tick> path_of(std::initializer_list<const char*> prices) {
  std::vector<Tick> out;
  std::int64_t ms = 1'700'000'000'000;
  for (const char* p : prices) out.push_back({ms += 1000, Price::parse(p)});
  return out;
}

std::int64_t at(const std::vector<Tick>& path, std::size_t i) { return path[i].ms; }

PlanSpec default_plan() { return {"default", core::StagePlan::default_plan(), false}; }

}  // namespace

TEST_CASE("replay long: a gap over stages 1 and 2 then the trailing stop worked out by hand", "[replay]") {
  // ETH long 3 @ 2000, stop 1950: 1R = 50; stage 1 at 2050, stage 2 at 2100, stage 3 at 2150; TP 2250.
  const PositionSpec pos{core::Symbol::parse("ETH"), core::Side::long_, std::nullopt, Price::parse("2000"),
                         Qty::parse("3"), Price::parse("1950"), "test"};
  const auto path = path_of({"2000", "2030", "2105", "2140", "2160", "2180", "2182", "2200", "2140", "2300"});
  const TradeResult t = replay_trade(pos, kFilters, default_plan(), path, {});

  // 2105 (2.1R) is past stages 1 and 2 at once: each closes 1/3 of 3 = 1 at the mark 2105.
  // 2160 (3.2R): stage 3 closes nothing and starts the trail, which moves from the next price on.
  REQUIRE(t.stages.size() == 3);
  CHECK(t.stages[0].stage.value == 1);
  CHECK(t.stages[0].ms == at(path, 2));
  CHECK(t.stages[0].price == Price::parse("2105"));
  CHECK(t.stages[0].qty == Qty::parse("1"));
  CHECK(t.stages[1].stage.value == 2);
  CHECK(t.stages[1].price == Price::parse("2105"));
  CHECK(t.stages[1].qty == Qty::parse("1"));
  CHECK(t.stages[2].stage.value == 3);
  CHECK(t.stages[2].ms == at(path, 4));
  CHECK(t.stages[2].qty.is_zero());

  // Stops: 1950; stage 1 -> 2000 (breakeven); stage 2 -> 2050 (+1R); at 2180 the trail is
  // 2180 - 50 = 2130 (80 above 2050, more than the 0.1R = 5 step); 2182 would give 2132, only 2 more:
  // no move; 2200 gives 2150.
  REQUIRE(t.stops.size() == 5);
  CHECK(t.stops[0].stop == Price::parse("1950"));
  CHECK(t.stops[1].stop == Price::parse("2000"));
  CHECK(t.stops[1].why == "stage 1");
  CHECK(t.stops[2].stop == Price::parse("2050"));
  CHECK(t.stops[3].stop == Price::parse("2130"));
  CHECK(t.stops[3].ms == at(path, 5));
  CHECK(t.stops[4].stop == Price::parse("2150"));
  CHECK(t.stops[4].ms == at(path, 7));
  CHECK(t.stops[4].why == "trailing");

  // 2140 crosses the stop at 2150: the exchange's stop fills the last 1 at that price (a gap through
  // the stop fills where the price is). 2300 comes after the exit and changes nothing.
  CHECK(t.take_profit == Price::parse("2250"));
  REQUIRE(t.exits.size() == 3);
  CHECK(t.exits[2].by == "stop");
  CHECK(t.exits[2].price == Price::parse("2140"));
  CHECK(t.exits[2].qty == Qty::parse("1"));
  CHECK(t.exits[2].ms == at(path, 8));
  CHECK_FALSE(t.open_at_end);

  // PnL: 1 x 105 + 1 x 105 + 1 x 140 = 350 quote; the risk was 3 x 50 = 150, so 2.333R.
  CHECK(t.realized == core::Notional::parse("350"));
  CHECK(t.pnl == core::Notional::parse("350"));
  CHECK(t.r == Approx(350.0 / 150.0));
  CHECK(t.mfe_r == Approx(4.0));  // best 2200
  CHECK(t.mae_r == Approx(0.0));  // never below the entry
  CHECK(t.end_ms - t.entry_ms == 8000);
}

TEST_CASE("replay long: no partial take-profit on the same prices is still open at the end", "[replay]") {
  const PositionSpec pos{core::Symbol::parse("ETH"), core::Side::long_, std::nullopt, Price::parse("2000"),
                         Qty::parse("3"), Price::parse("1950"), "test"};
  const auto path = path_of({"2000", "2030", "2105", "2140", "2160", "2180", "2182", "2200", "2140"});
  const TradeResult t = replay_trade(pos, kFilters, no_partial_take_profit(core::StagePlan::default_plan()), path, {});
  // Stop 1950 and take-profit 2250 are never reached: 3 open, marked at the last price 2140:
  // 3 x 140 = 420 quote, 420 / 150 = 2.8R.
  CHECK(t.stages.empty());
  CHECK(t.stops.size() == 1);
  CHECK(t.open_at_end);
  CHECK(t.remaining == Qty::parse("3"));
  CHECK(t.realized.is_zero());
  CHECK(t.pnl == core::Notional::parse("420"));
  CHECK(t.r == Approx(2.8));
}

TEST_CASE("replay short: stages 1 and 2 then the take-profit fills worked out by hand", "[replay]") {
  // BTC short 0.3 @ 40000, stop 40400: 1R = 400; stage 1 at 39600, stage 2 at 39200, stage 3 at
  // 38800; the take-profit at 5R = 38000.
  const core::InstrumentFilters filters =
      core::InstrumentFilters::in_base_units(Price::parse("0.1"), Qty::parse("0.001"), Qty::parse("0.001"), {});
  const PositionSpec pos{core::Symbol::parse("BTC"), core::Side::short_, std::nullopt, Price::parse("40000"),
                         Qty::parse("0.3"), Price::parse("40400"), "test"};
  const auto path = path_of({"40000", "39600", "39700", "39100", "38700", "37900"});
  const TradeResult t = replay_trade(pos, filters, default_plan(), path, {});

  // 39600 is exactly 1R: stage 1 closes 0.1 there, stop to 40000. 39100 (2.25R): stage 2 closes 0.1,
  // stop to 39600. 38700 (3.25R): stage 3, nothing closed. 37900 is through the take-profit at
  // 38000, resized to the last 0.1 by stage 2: it fills there.
  REQUIRE(t.stages.size() == 3);
  CHECK(t.stages[0].price == Price::parse("39600"));
  CHECK(t.stages[0].qty == Qty::parse("0.1"));
  CHECK(t.stages[1].price == Price::parse("39100"));
  CHECK(t.stages[1].qty == Qty::parse("0.1"));
  CHECK(t.stages[2].qty.is_zero());
  REQUIRE(t.stops.size() == 3);
  CHECK(t.stops[1].stop == Price::parse("40000"));
  CHECK(t.stops[2].stop == Price::parse("39600"));
  CHECK(t.take_profit == Price::parse("38000"));
  REQUIRE(t.exits.size() == 3);
  CHECK(t.exits[2].by == "take-profit");
  CHECK(t.exits[2].price == Price::parse("37900"));
  CHECK(t.exits[2].qty == Qty::parse("0.1"));
  // 0.1 x 400 + 0.1 x 900 + 0.1 x 2100 = 340 quote; risk 0.3 x 400 = 120: 2.833R.
  CHECK(t.pnl == core::Notional::parse("340"));
  CHECK(t.r == Approx(340.0 / 120.0));
  CHECK(t.mfe_r == Approx(5.25));
  CHECK_FALSE(t.open_at_end);
}

TEST_CASE("replay: a position opens at the first price at or after its entry time", "[replay]") {
  const auto path = path_of({"1900", "2000", "2060"});
  PositionSpec pos{core::Symbol::parse("ETH"), core::Side::long_, path[1].ms, Price::parse("2000"), Qty::parse("3"),
                   Price::parse("1950"), "test"};
  // 1900 comes before the entry: it would have stopped the position out.
  const TradeResult t = replay_trade(pos, kFilters, default_plan(), path, {});
  CHECK(t.entry_ms == path[1].ms);
  REQUIRE(t.stages.size() == 1);
  CHECK(t.stages[0].price == Price::parse("2060"));
  pos.entry_ms = path.back().ms + 1;
  CHECK_THROWS_WITH(replay_trade(pos, kFilters, default_plan(), path, {}),
                    Catch::Contains("test: no ETH_USDT price at or after its entry time"));
}

}  // namespace ptp::replay
