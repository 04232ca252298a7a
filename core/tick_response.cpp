#include "core/tick_response.hpp"

namespace ptp::core {

TickResponse respond_to_tick(const Position& position, const StageBook& book, Price mark, bool observe,
                             Clock::time_point now, std::chrono::milliseconds dedupe_window,
                             const InstrumentFilters& filters, const StagePlan& plan, bool trailing_ready,
                             bool stages_ready) {
  TickResponse out;
  out.arbitration = arbitrate(position, book, Request{Caller::market, std::nullopt, mark}, /*in_flight=*/false,
                              observe, now, dedupe_window, filters, plan);
  const Arbitration& arb = out.arbitration;
  if (arb.answer) {
    out.trail_best = arb.decision.trail_best;
    // A trailing move waits while stages are due (observe mode) and while the exchange keeps refusing.
    if (arb.decision.trail_stop && !observe && arb.execute.empty() && trailing_ready)
      out.trail_move = arb.decision.trail_stop;
    return out;
  }
  if (!stages_ready) {
    out.stages_held = true;
    return out;
  }
  out.run_stages = true;
  return out;
}

}  // namespace ptp::core
