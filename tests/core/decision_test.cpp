#include <catch2/catch.hpp>

#include "core/decision.hpp"
#include "core/ladder.hpp"
#include "core/quiet_band.hpp"
#include "test_positions.hpp"

using namespace ptp::core;
using ptp::test::adopted;
using ptp::test::eth_filters;

namespace {
const StagePlan kPlan = StagePlan::default_plan();

Decision at(const Position& p, ExecutedStages done, const char* mark) {
  return decide(p, done, Price::parse(mark), eth_filters(), kPlan);
}

// Executes a decision's stages into the position, as an executor would after the exchange confirmed.
void execute(Position& p, ExecutedStages& done, const Decision& d) {
  for (const auto& a : d.stages) {
    apply_stage(p, a);
    done.insert(a.stage);
  }
  if (d.trail_stop) p.current_stop = d.trail_stop->price;
  p.trail_best = d.trail_best;
}
}  // namespace

TEST_CASE("nothing is due below the first trigger", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  Decision d = at(p, {}, "2049.99");
  CHECK_FALSE(d.has_actions());
  CHECK(d.r.str() == "0.9998");
}

TEST_CASE("stage 1 at 1R closes a third of the original and moves the stop to breakeven", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  Decision d = at(p, {}, "2050");
  REQUIRE(d.stages.size() == 1);
  const StageAction& a = d.stages[0];
  CHECK(a.stage == StageId{1});
  CHECK(a.trigger_price.str() == "2050");
  CHECK(a.close_qty.str() == "0.5");
  CHECK(a.remaining_after.str() == "1");
  REQUIRE(a.new_stop);
  CHECK(a.new_stop->price.str() == "2000");
  REQUIRE(a.take_profit_price);
  CHECK(a.take_profit_price->str() == "2250");
}

TEST_CASE("stage 2 fires at 2R of the initial risk after the stop went to breakeven", "[decision]") {
  // The original computed R from the current stop: after breakeven the risk was 0 and stage 2 never fired.
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  ExecutedStages done;
  execute(p, done, at(p, done, "2060"));  // stage 1 fires above exactly 1R
  REQUIRE(p.current_stop.str() == "2000");
  CHECK_FALSE(at(p, done, "2099.99").has_actions());
  Decision d = at(p, done, "2100");
  REQUIRE(d.stages.size() == 1);
  CHECK(d.stages[0].stage == StageId{2});
  CHECK(d.r.str() == "2");
  CHECK(d.stages[0].close_qty.str() == "0.5");  // a third of the ORIGINAL 1.5, not of the remaining 1
  CHECK(d.stages[0].new_stop->price.str() == "2050");
}

TEST_CASE("executed stages are never returned again", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  ExecutedStages done;
  execute(p, done, at(p, done, "2050"));
  CHECK_FALSE(at(p, done, "2050").has_actions());
  CHECK_FALSE(at(p, done, "2075").has_actions());
  ExecutedStages only_two;
  only_two.insert(StageId{2});
  Decision d = at(adopted("ETH", Side::long_, "2000", "1950", "1.5"), only_two, "2120");
  REQUIRE(d.stages.size() == 1);
  CHECK(d.stages[0].stage == StageId{1});
}

TEST_CASE("a gap from 0.5R to 2.4R returns stage 1 then stage 2, each its own action", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  CHECK_FALSE(at(p, {}, "2025").has_actions());
  Decision d = at(p, {}, "2120");
  REQUIRE(d.stages.size() == 2);
  CHECK(d.stages[0].stage == StageId{1});
  CHECK(d.stages[0].close_qty.str() == "0.5");
  CHECK(d.stages[0].remaining_after.str() == "1");
  CHECK(d.stages[0].new_stop->price.str() == "2000");
  CHECK(d.stages[1].stage == StageId{2});
  CHECK(d.stages[1].close_qty.str() == "0.5");
  CHECK(d.stages[1].remaining_after.str() == "0.5");
  CHECK(d.stages[1].new_stop->price.str() == "2050");
  CHECK(d.r.str() == "2.4");
}

TEST_CASE("short positions mirror longs", "[decision]") {
  Position s = adopted("ETH", Side::short_, "2000", "2050", "1.5");
  CHECK_FALSE(at(s, {}, "1950.01").has_actions());
  Decision d = at(s, {}, "1880");  // 2.4R
  REQUIRE(d.stages.size() == 2);
  CHECK(d.stages[0].trigger_price.str() == "1950");
  CHECK(d.stages[0].new_stop->price.str() == "2000");
  CHECK(d.stages[1].trigger_price.str() == "1900");
  CHECK(d.stages[1].new_stop->price.str() == "1950");
  CHECK(d.stages[1].take_profit_price->str() == "1750");
  CHECK(d.stages[1].remaining_after.str() == "0.5");
}

TEST_CASE("the stop only ever tightens", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  p.current_stop = Price::parse("2010");  // the user already tightened it past breakeven
  Decision d = at(p, {}, "2050");
  REQUIRE(d.stages.size() == 1);
  CHECK_FALSE(d.stages[0].new_stop);
  CHECK(d.stages[0].close_qty.str() == "0.5");
}

TEST_CASE("fraction_of remaining reproduces the original project's 2/9 on stage 2", "[decision]") {
  StagePlan plan = kPlan;
  plan.fraction_of = FractionOf::remaining;
  Position p = adopted("ETH", Side::long_, "2000", "1950", "0.9");
  Decision d = decide(p, {}, Price::parse("2100"), eth_filters(), plan);
  REQUIRE(d.stages.size() == 2);
  CHECK(d.stages[0].close_qty.str() == "0.3");
  CHECK(d.stages[1].close_qty.str() == "0.2");  // 1/3 of the remaining 0.6 = 2/9 of 0.9
}

TEST_CASE("a close below the minimum is skipped with its reason and the stop still moves", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "0.002");  // a third is 0.000666 -> 0
  Decision d = at(p, {}, "2050");
  REQUIRE(d.stages.size() == 1);
  CHECK(d.stages[0].close_qty.is_zero());
  REQUIRE(d.stages[0].skip);
  CHECK(*d.stages[0].skip == SkipReason::below_min_qty);
  REQUIRE(d.stages[0].new_stop);
  CHECK(d.stages[0].new_stop->price.str() == "2000");
  CHECK(d.stages[0].remaining_after.str() == "0.002");
}

TEST_CASE("a remainder below the minimum is closed with the stage, leaving nothing to protect", "[decision]") {
  auto filters = eth_filters();
  filters.min_qty = Qty::parse("0.01");
  filters.step_size = Qty::parse("0.01");
  Position p = adopted("ETH", Side::long_, "2000", "1950", "0.04");
  ExecutedStages done;
  Decision d1 = decide(p, done, Price::parse("2050"), filters, kPlan);
  CHECK(d1.stages[0].close_qty.str() == "0.01");  // 0.01333 rounded down
  execute(p, done, d1);
  Decision d2 = decide(p, done, Price::parse("2100"), filters, kPlan);
  REQUIRE(d2.stages.size() == 1);
  CHECK(d2.stages[0].close_qty.str() == "0.01");
  execute(p, done, d2);
  CHECK(p.remaining_size.str() == "0.02");
  // a plan whose second stage would leave 0.01 behind (minimum 0.02) closes everything instead
  filters.min_qty = Qty::parse("0.02");
  StagePlan plan = kPlan;
  plan.stages[1].close_fraction = Fraction(5, 8);
  Position q = adopted("ETH", Side::long_, "2000", "1950", "0.1");
  Decision all = decide(q, {}, Price::parse("2100"), filters, plan);
  REQUIRE(all.stages.size() == 2);
  CHECK(all.stages[0].close_qty.str() == "0.03");
  CHECK(all.stages[1].close_qty.str() == "0.07");
  CHECK(all.stages[1].closes_all);
  CHECK(all.stages[1].remaining_after.is_zero());
  CHECK_FALSE(all.stages[1].new_stop);
  CHECK_FALSE(all.stages[1].take_profit_price);
}

TEST_CASE("the active trailing stage is the last done stage that trails", "[decision]") {
  StagePlan plan = StagePlan::default_plan();  // stage 3 trails by 1R
  plan.stages.push_back(StageSpec{StageId{4}, Ratio::parse("4"), Fraction::parse("0"), std::nullopt, Ratio::parse("0.5")});
  ExecutedStages done;
  CHECK(active_trailing_stage(plan, done) == nullptr);
  done.insert(StageId{1});
  done.insert(StageId{2});
  CHECK(active_trailing_stage(plan, done) == nullptr);
  done.insert(StageId{3});
  REQUIRE(active_trailing_stage(plan, done) != nullptr);
  CHECK(active_trailing_stage(plan, done)->id == StageId{3});
  done.insert(StageId{4});
  CHECK(active_trailing_stage(plan, done)->id == StageId{4});
  CHECK(*active_trailing_stage(plan, done)->trail_r == Ratio::parse("0.5"));
}

TEST_CASE("stage 3 starts a trailing stop that follows the best price by 1R", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  ExecutedStages done;
  execute(p, done, at(p, done, "2100"));  // stages 1 and 2
  Decision s3 = at(p, done, "2150");
  REQUIRE(s3.stages.size() == 1);
  CHECK(s3.stages[0].stage == StageId{3});
  CHECK(s3.stages[0].close_qty.is_zero());
  CHECK_FALSE(s3.stages[0].skip);
  REQUIRE(s3.trail_stop);
  CHECK(s3.trail_stop->price.str() == "2100");  // best 2150 - 1R
  execute(p, done, s3);
  Decision higher = at(p, done, "2180");
  REQUIRE(higher.trail_stop);
  CHECK(higher.trail_stop->price.str() == "2130");
  execute(p, done, higher);
  Decision pullback = at(p, done, "2160");  // best stays 2180: the stop does not loosen
  CHECK_FALSE(pullback.trail_stop);
  CHECK(pullback.trail_best->str() == "2180");
  Decision tiny = at(p, done, "2184");  // +4 < trail_step 0.1R = 5
  CHECK_FALSE(tiny.trail_stop);
}

TEST_CASE("the owed stop is the tightest of the current stop and every done stage's move", "[decision]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  const auto owed = [&](ExecutedStages done, const char* mark) {
    return owed_stop(p, done, Price::parse(mark), eth_filters(), kPlan).str();
  };
  CHECK(owed({}, "2060") == "1950");  // nothing done: the current stop
  ExecutedStages one;
  one.insert(StageId{1});
  CHECK(owed(one, "2060") == "2000");  // stage 1 done but its move missing: breakeven
  ExecutedStages two = one;
  two.insert(StageId{2});
  CHECK(owed(two, "2110") == "2050");
  // +1R is above the mark: a tick below the mark, as decide() places it (the position would have
  // been stopped out at 2050 had the move happened)
  CHECK(owed(two, "2040") == "2039.99");
  p.current_stop = Price::parse("2070");  // a trailing stop beyond every stage's move stays
  CHECK(owed(two, "2110") == "2070");
  Position s = adopted("ETH", Side::short_, "2000", "2050", "1.5");
  CHECK(owed_stop(s, one, Price::parse("1940"), eth_filters(), kPlan).str() == "2000");
}

TEST_CASE("next_trigger_price is the first stage not yet done", "[decision]") {
  Position p = adopted("ETH", Side::short_, "2000", "2050", "1.5");
  ExecutedStages done;
  CHECK(next_trigger_price(p, done, kPlan)->str() == "1950");
  done.insert(StageId{1});
  CHECK(next_trigger_price(p, done, kPlan)->str() == "1900");
  done.insert(StageId{2});
  done.insert(StageId{3});
  CHECK_FALSE(next_trigger_price(p, done, kPlan));
}

TEST_CASE("the ladder lists each stage's trigger, close and stop", "[decision]") {
  Ladder l = plan_ladder(adopted("ETH", Side::long_, "2000", "1950", "1.5"), eth_filters(), kPlan);
  REQUIRE(l.rows.size() == 3);
  CHECK(l.rows[0].action.trigger_price.str() == "2050");
  CHECK(l.rows[0].stop_after.str() == "2000");
  CHECK(l.rows[1].action.trigger_price.str() == "2100");
  CHECK(l.rows[1].stop_after.str() == "2050");
  CHECK(l.rows[2].action.trigger_price.str() == "2150");
  CHECK(l.rows[2].action.remaining_after.str() == "0.5");
  CHECK(l.take_profit_price->str() == "2250");
}

TEST_CASE("the quiet band holds exactly the prices at which nothing is due", "[decision]") {
  // Exhaustive over a price grid: inside the band decide() never acts; every action is outside.
  for (Side side : {Side::long_, Side::short_}) {
    Position p = side == Side::long_ ? adopted("ETH", side, "2000", "1950", "1.5") : adopted("ETH", side, "2000", "2050", "1.5");
    ExecutedStages done;
    for (int step = 0; step < 4; ++step) {
      const QuietBand band = quiet_band(p, done, kPlan);
      for (int cents = 170000; cents <= 230000; cents += 7) {
        const Price mark = Price::from_units(static_cast<std::int64_t>(cents) * 1'000'000);
        const Decision d = decide(p, done, mark, eth_filters(), kPlan);
        if (band.contains(mark)) {
          INFO(to_string(side) << " step " << step << " mark " << mark.str());
          CHECK_FALSE(d.has_actions());
        }
      }
      // advance the position: execute what the next trigger (or a trailing move) does
      const Price reach = side == Side::long_ ? band.upper : band.lower;
      if (reach.units() == INT64_MAX || reach.units() == INT64_MIN) break;
      const Decision d = decide(p, done, reach, eth_filters(), kPlan);
      CHECK(d.has_actions());
      execute(p, done, d);
    }
  }
  CHECK(quiet_band(adopted("ETH", Side::long_, "2000", "1950", "1.5"), {}, kPlan).upper.str() == "2050");
}
