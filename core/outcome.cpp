#include "core/outcome.hpp"

namespace ptp::core {

std::string_view to_string(Caller c) {
  switch (c) {
    case Caller::market: return "market";
    case Caller::health_check: return "health-check";
    case Caller::ai_agent: return "ai-agent";
    case Caller::operator_: return "operator";
  }
  return "?";
}

std::optional<Caller> parse_caller(std::string_view text) {
  for (Caller c : kAllCallers)
    if (to_string(c) == text) return c;
  return std::nullopt;
}

std::string_view to_string(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::success: return "success";
    case OutcomeKind::already_executed: return "already_executed";
    case OutcomeKind::recently_executed: return "recently_executed";
    case OutcomeKind::in_progress: return "in_progress";
    case OutcomeKind::not_due: return "not_due";
    case OutcomeKind::observe_only: return "observe_only";
    case OutcomeKind::skipped: return "skipped";
    case OutcomeKind::failed: return "failed";
  }
  return "?";
}

std::string Outcome::str() const {
  std::string out(to_string(kind));
  if (!reason.empty()) out += ":" + reason;
  return out;
}

}  // namespace ptp::core
