// The price band inside which a tick cannot make a position do anything: no stage trigger is
// reached and no trailing-stop move is due. The market-data actor forwards a tick to a position
// only when it leaves the band, so ticks that cross nothing cost no actor message.
#pragma once

#include "core/decision.hpp"

namespace ptp::core {

struct QuietBand {
  Price lower;  // a mark at or below this may need the position (shorts)
  Price upper;  // a mark at or above this may need the position (longs)

  bool contains(Price mark) const { return lower < mark && mark < upper; }
  static QuietBand everything_crosses() { return {Price::from_units(INT64_MAX), Price::from_units(INT64_MIN)}; }
  static QuietBand never() { return {Price::from_units(INT64_MIN), Price::from_units(INT64_MAX)}; }
};

// Conservative: a mark that decide() would act on is never inside the band (a mark outside it may
// still turn out to need nothing).
QuietBand quiet_band(const Position& position, ExecutedStages done, const StagePlan& plan);

}  // namespace ptp::core
