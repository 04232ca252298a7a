// What a position does with one price tick, as the position actor and ptp-replay both apply it:
// the arbitration of a market request at the tick's price, then either the due stages (in plan
// order, each only if the one before went through) or, with nothing due, a trailing stop move.
// One home for this rule, so a replay runs the node's order of things and not a copy of it.
#pragma once

#include <optional>

#include "core/arbiter.hpp"

namespace ptp::core {

struct TickResponse {
  Arbitration arbitration;             // answer set: no stage runs (not_due, observe_only, ...)
  bool run_stages = false;             // arbitration.execute runs now, in order
  bool stages_held = false;            // stages are due but wait for their retry backoff
  std::optional<StopPrice> trail_move;  // a trailing stop move to make now (only when no stage runs)
  std::optional<Price> trail_best;      // the best price to remember while trailing (observe mode too)
};

// `trailing_ready` / `stages_ready`: the position's retry backoffs allow a trailing move / a stage now.
TickResponse respond_to_tick(const Position& position, const StageBook& book, Price mark, bool observe,
                             Clock::time_point now, std::chrono::milliseconds dedupe_window,
                             const InstrumentFilters& filters, const StagePlan& plan, bool trailing_ready,
                             bool stages_ready);

// Due stages run one after the other; the chain stops at the first that neither succeeded nor was
// skipped (a failed close leaves the later stages for the next request).
inline bool stage_chain_goes_on(const Outcome& o) {
  return o.kind == OutcomeKind::success || o.kind == OutcomeKind::skipped;
}

}  // namespace ptp::core
