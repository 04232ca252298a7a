#include "core/rollout_guard.hpp"

namespace ptp::core {

void RolloutGuard::expire(Clock::time_point now) {
  const auto cutoff = now - std::chrono::hours(1);
  while (!executions_.empty() && executions_.front() <= cutoff) executions_.pop_front();
  while (!failures_.empty() && failures_.front() <= cutoff) failures_.pop_front();
}

std::uint32_t RolloutGuard::executions(Clock::time_point now) {
  expire(now);
  return static_cast<std::uint32_t>(executions_.size());
}

std::uint32_t RolloutGuard::failures(Clock::time_point now) {
  expire(now);
  return static_cast<std::uint32_t>(failures_.size());
}

std::optional<std::string> RolloutGuard::record(OutcomeKind kind, Clock::time_point now) {
  if (!limits_.configured()) return std::nullopt;
  expire(now);
  if (kind == OutcomeKind::success || kind == OutcomeKind::skipped) executions_.push_back(now);
  else if (kind == OutcomeKind::failed) failures_.push_back(now);
  else return std::nullopt;
  std::optional<std::string> trip;
  if (limits_.max_executions_per_hour && executions_.size() > *limits_.max_executions_per_hour)
    trip = std::to_string(executions_.size()) + " stage executions in the last hour, more than max_executions_per_hour = " +
           std::to_string(*limits_.max_executions_per_hour);
  else if (limits_.max_failures_per_hour && failures_.size() > *limits_.max_failures_per_hour)
    trip = std::to_string(failures_.size()) + " failed stage requests in the last hour, more than max_failures_per_hour = " +
           std::to_string(*limits_.max_failures_per_hour);
  if (trip) {
    executions_.clear();
    failures_.clear();
  }
  return trip;
}

}  // namespace ptp::core
