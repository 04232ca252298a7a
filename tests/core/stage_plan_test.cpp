#include <catch2/catch.hpp>

#include "core/stage_plan.hpp"

using namespace ptp::core;

namespace {
StageSpec stage(int id, const char* trigger, const char* fraction, std::optional<const char*> stop = {},
                std::optional<const char*> trail = {}) {
  StageSpec s{StageId{static_cast<std::uint8_t>(id)}, Ratio::parse(trigger), Fraction::parse(fraction), {}, {}};
  if (stop) s.move_stop_to_r = Ratio::parse(*stop);
  if (trail) s.trail_r = Ratio::parse(*trail);
  return s;
}
}  // namespace

TEST_CASE("the default plan is the product's plan and is valid", "[plan]") {
  const StagePlan p = StagePlan::default_plan();
  REQUIRE(p.stages.size() == 3);
  CHECK(p.stages[0].trigger_r.str() == "1");
  CHECK(p.stages[0].close_fraction == Fraction(1, 3));
  CHECK(p.stages[0].move_stop_to_r->str() == "0");
  CHECK(p.stages[1].move_stop_to_r->str() == "1");
  CHECK(p.stages[2].close_fraction.is_zero());
  CHECK(p.stages[2].trail_r->str() == "1");
  CHECK(p.extreme_tp_r->str() == "5");
  CHECK(p.fraction_of == FractionOf::original);
  CHECK_NOTHROW(p.validate());
}

TEST_CASE("plan validation names the stage and the rule", "[plan]") {
  StagePlan p;
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("no stages"));

  p.stages = {stage(1, "1", "1/3", "0"), stage(2, "1", "1/3", "0.5")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("stage 2: trigger_r 1 must be greater than stage 1's trigger_r 1"));

  p.stages = {stage(1, "0", "1/3")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("stage 1: trigger_r must be greater than 0"));

  p.stages = {stage(1, "1", "1/2", "0"), stage(2, "2", "2/3", "1")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("sum to 7/6"));

  p.fraction_of = FractionOf::remaining;  // of the remaining, each share may be up to 1
  CHECK_NOTHROW(p.validate());
  p.fraction_of = FractionOf::original;

  p.stages = {stage(1, "1", "3/2")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("stage 1: close_fraction 3/2 is more than 1"));

  p.stages = {stage(1, "1", "1/3", "1")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("stage 1: move_stop_to_r 1 must be below its trigger_r 1"));

  p.stages = {stage(1, "1", "1/3", "-1")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("must be above -1"));

  p.stages = {stage(1, "1", "1/3", {}, "0")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("trail_r must be greater than 0"));

  p.stages = {stage(1, "1", "0")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("closes nothing"));

  p.stages = {stage(1, "1", "1/3", "0"), stage(2, "3", "1/3", "1")};
  p.extreme_tp_r = Ratio::parse("3");
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("extreme_tp_r 3 must be greater than the last stage's trigger_r 3"));

  p.extreme_tp_r.reset();
  p.stages = {stage(1, "1", "1/3"), stage(3, "2", "1/3")};
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("stage 2: id is 3"));
}
