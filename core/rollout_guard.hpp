// The rollout guard: past a number of stage executions or failures in the last hour, the node
// switches itself to observe mode (the original's week-two "alert threshold"). Pure: the metrics
// actor feeds it every outcome and acts on the trip it returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "core/outcome.hpp"

namespace ptp::core {

struct GuardLimits {
  std::optional<std::uint32_t> max_executions_per_hour;  // success and skipped: the stage ran
  std::optional<std::uint32_t> max_failures_per_hour;    // failed
  bool configured() const { return max_executions_per_hour || max_failures_per_hour; }
};

class RolloutGuard {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RolloutGuard(GuardLimits limits) : limits_(limits) {}

  // Counts one outcome. Returns the alert text (with the figures) the first time a limit is
  // passed; the windows then start afresh, so a switch back to execute is not tripped at once.
  std::optional<std::string> record(OutcomeKind kind, Clock::time_point now);

  std::uint32_t executions(Clock::time_point now);  // in the last hour
  std::uint32_t failures(Clock::time_point now);
  const GuardLimits& limits() const { return limits_; }

 private:
  void expire(Clock::time_point now);
  GuardLimits limits_;
  std::deque<Clock::time_point> executions_;
  std::deque<Clock::time_point> failures_;
};

}  // namespace ptp::core
