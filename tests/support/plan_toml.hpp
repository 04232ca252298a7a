// The plan the venue and safety tests run: 1/3 at 1R (stop to breakeven), 1/3 at 2R (stop to +1R),
// from 3R the stop trails the best price by 1R in steps of 0.1R, the extreme take-profit at
// `extreme_tp_r`.
#pragma once

#include <string>

namespace ptp::test {

// The two stages every plan here starts with: 1/3 at 1R (stop to breakeven), 1/3 at 2R (stop to +1R).
inline std::string two_stages_toml() {
  return R"([[plan.stage]]
trigger_r = 1
close_fraction = "1/3"
move_stop_to_r = 0
[[plan.stage]]
trigger_r = 2
close_fraction = "1/3"
move_stop_to_r = 1
)";
}

inline std::string trailing_plan_toml(int extreme_tp_r = 5) {
  return "[plan]\nextreme_tp_r = " + std::to_string(extreme_tp_r) + "\ntrail_step_r = 0.1\n" + two_stages_toml() + R"([[plan.stage]]
trigger_r = 3
close_fraction = 0
trail_r = 1
)";
}

}  // namespace ptp::test
