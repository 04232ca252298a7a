#include "core/arbiter.hpp"

namespace ptp::core {
namespace {

Outcome recorded_outcome(const StageBook& book, StageId id, Clock::time_point now, std::chrono::milliseconds window) {
  return core::recorded_outcome(*book.recorded_at(id), now, window);
}

}  // namespace

Outcome recorded_outcome(Clock::time_point at, Clock::time_point now, std::chrono::milliseconds dedupe_window) {
  return Outcome{now - at < dedupe_window ? OutcomeKind::recently_executed : OutcomeKind::already_executed};
}

std::optional<Clock::time_point> StageBook::recorded_at(StageId id) const {
  auto it = times_.find(id);
  if (it == times_.end()) return std::nullopt;
  return it->second;
}

Arbitration arbitrate(const Position& position, const StageBook& book, const Request& request, bool in_flight,
                      bool observe, Clock::time_point now, std::chrono::milliseconds dedupe_window,
                      const InstrumentFilters& filters, const StagePlan& plan) {
  Arbitration out;
  if (in_flight) {
    out.answer = Outcome{OutcomeKind::in_progress};
    return out;
  }
  if (request.stage) {
    if (!plan.find(*request.stage)) {
      out.answer = Outcome{OutcomeKind::failed, Reason::unknown_stage};
      return out;
    }
    if (book.contains(*request.stage)) {
      out.answer = recorded_outcome(book, *request.stage, now, dedupe_window);
      return out;
    }
  }
  out.decision = decide(position, book.executed(), request.mark, filters, plan);
  for (const StageAction& a : out.decision.stages) {
    out.execute.push_back(a);
    if (request.stage && a.stage == *request.stage) break;
  }
  if (request.stage && (out.execute.empty() || out.execute.back().stage != *request.stage)) {
    out.execute.clear();
    out.answer = Outcome{OutcomeKind::not_due};
    return out;
  }
  if (out.execute.empty()) {
    // Nothing due: report the latest stage this price has reached, if it is already recorded.
    std::optional<StageId> reached;
    for (const StageSpec& s : plan.stages)
      if (at_or_beyond(position.side(), request.mark, trigger_price(position, s.trigger_r)) && book.contains(s.id))
        reached = s.id;
    out.answer = reached ? recorded_outcome(book, *reached, now, dedupe_window) : Outcome{OutcomeKind::not_due};
    return out;
  }
  if (observe) out.answer = Outcome{OutcomeKind::observe_only};
  return out;
}

}  // namespace ptp::core
