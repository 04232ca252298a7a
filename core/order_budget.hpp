// The account-wide order budget: how many orders the node may send per window, so that a storm of
// work (many positions trailing at once, a restart repairing every stop) never takes the account
// past the exchange's order limits. The node uses a share of each limit; the rest is left to the
// trading next to it (an agent or a person placing orders on the same account).
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <vector>

namespace ptp::core {

// At most `limit` orders in any `span`.
struct RateWindow {
  int limit = 0;
  std::chrono::milliseconds span{0};

  std::string str() const;  // "300 per 10 s"
};

// `limits` scaled to `percent` of each (at least one order per window).
std::vector<RateWindow> share_of(const std::vector<RateWindow>& limits, int percent);

class OrderBudget {
 public:
  using Clock = std::chrono::steady_clock;

  explicit OrderBudget(std::vector<RateWindow> windows = {});

  // How long an order must wait at `now` before it may be sent: zero when it may go now.
  Clock::duration wait(Clock::time_point now);
  // An order was sent at `now`.
  void spend(Clock::time_point now);
  // The window that is full at `now` (for the log line), or nullptr.
  const RateWindow* full_window(Clock::time_point now);
  const std::vector<RateWindow>& windows() const { return windows_; }

 private:
  void forget_before(Clock::time_point now);
  int sent_within(Clock::time_point now, std::chrono::milliseconds span) const;

  std::vector<RateWindow> windows_;
  std::chrono::milliseconds longest_{0};
  std::deque<Clock::time_point> sent_;  // within the longest window, oldest first
};

}  // namespace ptp::core
