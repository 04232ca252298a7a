// How long an action that keeps failing waits before it is tried again: the first retry after
// `first`, then twice as long each time, at most `max`; a success resets it. Exchanges that refuse
// an order keep refusing it, and each refused request still counts against the account's limits.
#pragma once

#include <algorithm>
#include <chrono>

namespace ptp::core {

class RetryBackoff {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RetryBackoff(Clock::duration first = std::chrono::seconds(1), Clock::duration max = std::chrono::seconds(60))
      : first_(first), max_(max) {}

  // The action failed at `now`: the next try waits until ready().
  void failed(Clock::time_point now) {
    wait_ = failures_ == 0 ? first_ : std::min(max_, wait_ * 2);
    ++failures_;
    not_before_ = now + wait_;
  }
  void succeeded() {
    failures_ = 0;
    wait_ = Clock::duration::zero();
    not_before_ = {};
  }
  bool ready(Clock::time_point now) const { return now >= not_before_; }
  int failures() const { return failures_; }
  Clock::duration wait() const { return wait_; }  // the last wait imposed (zero after a success)

 private:
  Clock::duration first_;
  Clock::duration max_;
  Clock::duration wait_ = Clock::duration::zero();
  int failures_ = 0;
  Clock::time_point not_before_{};
};

}  // namespace ptp::core
