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

std::string_view to_string(Reason r) {
  switch (r) {
    case Reason::none: return "";
    case Reason::below_min_qty: return "below_min_qty";
    case Reason::below_min_notional: return "below_min_notional";
    case Reason::rejected: return "rejected";
    case Reason::timeout: return "timeout";
    case Reason::not_found: return "not_found";
    case Reason::unavailable: return "unavailable";
    case Reason::duplicate_client_id: return "duplicate_client_id";
    case Reason::storage: return "storage";
    case Reason::unresolved_intent: return "unresolved_intent";
    case Reason::intent_not_sent: return "intent_not_sent";
    case Reason::close_unfilled: return "close_unfilled";
    case Reason::unknown_stage: return "unknown_stage";
    case Reason::no_open_position: return "no_open_position";
    case Reason::no_price: return "no_price";
    case Reason::actor: return "actor";
    case Reason::shutting_down: return "shutting_down";
    case Reason::other: return "other";
    case Reason::not_owner: return "not_owner";
  }
  return "?";
}

std::optional<Reason> parse_reason(std::string_view token) {
  for (int i = static_cast<int>(Reason::below_min_qty); i <= static_cast<int>(kLastReason); ++i)
    if (to_string(static_cast<Reason>(i)) == token) return static_cast<Reason>(i);
  return std::nullopt;
}

namespace {

// The exchange's answers read "<reason> <code> <message>"; the node's own "<reason>: <detail>".
bool from_exchange(Reason r) {
  return r == Reason::rejected || r == Reason::timeout || r == Reason::not_found || r == Reason::unavailable ||
         r == Reason::duplicate_client_id;
}

}  // namespace

std::string reason_text(Reason r, std::string_view venue_code, std::string_view detail) {
  if (r == Reason::other) return std::string(detail);
  std::string out(to_string(r));
  if (!venue_code.empty()) out.append(" ").append(venue_code);
  if (!detail.empty()) out.append(from_exchange(r) ? " " : ": ").append(detail);
  return out;
}

std::string Outcome::str() const {
  std::string out(to_string(kind));
  if (reason != Reason::none) out += ":" + reason_text(reason, venue_code, detail);
  return out;
}

Outcome Outcome::from_text(OutcomeKind kind, std::string_view text) {
  Outcome out{kind, Reason::none, {}, {}};
  if (text.empty()) return out;
  const auto end = text.find_first_of(" :");
  const auto reason = parse_reason(text.substr(0, end));
  if (!reason) {
    out.reason = Reason::other;
    out.detail = std::string(text);
    return out;
  }
  out.reason = *reason;
  std::string_view rest = end == std::string_view::npos ? std::string_view() : text.substr(end);
  if (rest.starts_with(": ")) {
    out.detail = std::string(rest.substr(2));
    return out;
  }
  if (rest.starts_with(" ")) rest.remove_prefix(1);
  // An exchange code leads the message when it looks like one ("-2022", "HTTP 503" stays message).
  const auto space = rest.find(' ');
  const std::string_view first = rest.substr(0, space);
  if (!first.empty() && (first[0] == '-' || (first[0] >= '0' && first[0] <= '9'))) {
    out.venue_code = std::string(first);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  out.detail = std::string(rest);
  return out;
}

}  // namespace ptp::core
