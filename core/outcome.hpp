// Who asked for a stage, and the one answer every request gets.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

struct Outcome {
  OutcomeKind kind = OutcomeKind::not_due;
  std::string reason;  // for skipped and failed

  std::string str() const;  // "success", "skipped:below_min_qty", "failed:rejected -2022 ReduceOnly Order is rejected"
  bool operator==(const Outcome&) const = default;
};

}  // namespace ptp::core
