// Who asked for a stage, and the one answer every request gets.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ptp::core {

enum class Caller : unsigned char { market, health_check, ai_agent, operator_ };
inline constexpr Caller kAllCallers[] = {Caller::market, Caller::health_check, Caller::ai_agent, Caller::operator_};
std::string_view to_string(Caller c);  // "market", "health-check", "ai-agent", "operator"
std::optional<Caller> parse_caller(std::string_view text);

enum class OutcomeKind : unsigned char {
  success,
  already_executed,   // the stage is recorded, outside the dedupe window
  recently_executed,  // the stage is recorded within the dedupe window
  in_progress,        // a stage of this position is executing right now
  not_due,
  observe_only,       // observe mode: logged what it would do, sent nothing
  skipped,            // recorded as done without a close (reason: below_min_qty, ...)
  failed,             // not executed; retryable (reason says why)
};
inline constexpr int kOutcomeKinds = 8;
std::string_view to_string(OutcomeKind k);

// Why a request executed nothing (failed) or executed without a close (skipped): a fixed
// vocabulary. The exchange's own code and message stay beside it (Outcome::venue_code, detail).
enum class Reason : unsigned char {
  none,
  below_min_qty,        // skipped: the close is below the exchange's minimum quantity
  below_min_notional,   // skipped: ... below its minimum notional (where it applies to reduce-only)
  rejected,             // the exchange refused an order
  timeout,              // the exchange did not answer in time
  not_found,            // the exchange does not know the order
  unavailable,          // the exchange could not be asked (network, rate limit, ban, no answer)
  duplicate_client_id,  // the exchange has an open order with that id
  storage,              // the history could not be written, so nothing was sent
  unresolved_intent,    // an earlier run's intent for the stage is still being resolved
  intent_not_sent,      // recovery found the earlier run's close never reached the exchange
  close_unfilled,       // the close ended (expired, cancelled) with nothing filled
  unknown_stage,        // the request named a stage the plan does not have
  no_open_position,     // no open position on that symbol and side
  no_price,             // neither the stream nor the exchange gave a price
  actor,                // the position's actor did not answer
  shutting_down,        // the node is stopping: no new stage starts
  other,                // recorded as free text before reasons were typed
  not_owner,            // a cluster node that does not own the account (any more): nothing was sent
};
inline constexpr Reason kLastReason = Reason::not_owner;  // new reasons go after it: history keeps the numbers
std::string_view to_string(Reason r);  // the token in logs and history: "rejected", "no_price", ...
std::optional<Reason> parse_reason(std::string_view token);
// A reason as one line: "rejected -2022 ReduceOnly Order is rejected." (an exchange's answer:
// token, code, message), "no_price: <detail>" (the node's own).
std::string reason_text(Reason r, std::string_view venue_code, std::string_view detail);

struct Outcome {
  Outcome() = default;
  Outcome(OutcomeKind k, Reason r = Reason::none, std::string code = {}, std::string why = {})
      : kind(k), reason(r), venue_code(std::move(code)), detail(std::move(why)) {}

  OutcomeKind kind = OutcomeKind::not_due;
  Reason reason = Reason::none;  // for skipped and failed
  std::string venue_code;        // the exchange's own code, when it gave one: "-2022"
  std::string detail;            // the exchange's message, or what else explains the reason

  // "success", "skipped:below_min_qty", "failed:rejected -2022 ReduceOnly Order is rejected.",
  // "failed:no_price: the exchange did not answer"
  std::string str() const;
  bool operator==(const Outcome&) const = default;
  // An outcome whose reason was recorded as one line of text (history written before reasons
  // were typed): its leading token, code and message, or Reason::other with the text as detail.
  static Outcome from_text(OutcomeKind kind, std::string_view text);
};

}  // namespace ptp::core
