#include "core/order_budget.hpp"

#include <algorithm>

namespace ptp::core {

std::string RateWindow::str() const {
  const auto ms = span.count();
  const std::string per = ms % 60'000 == 0 ? std::to_string(ms / 60'000) + " min"
                          : ms % 1'000 == 0 ? std::to_string(ms / 1'000) + " s"
                                            : std::to_string(ms) + " ms";
  return std::to_string(limit) + " per " + per;
}

std::vector<RateWindow> share_of(const std::vector<RateWindow>& limits, int percent) {
  std::vector<RateWindow> out;
  for (const auto& w : limits) out.push_back({std::max(1, w.limit * percent / 100), w.span});
  return out;
}

OrderBudget::OrderBudget(std::vector<RateWindow> windows) : windows_(std::move(windows)) {
  for (const auto& w : windows_) longest_ = std::max(longest_, w.span);
}

void OrderBudget::forget_before(Clock::time_point now) {
  while (!sent_.empty() && now - sent_.front() >= longest_) sent_.pop_front();
}

int OrderBudget::sent_within(Clock::time_point now, std::chrono::milliseconds span) const {
  // Newest last: count back from the end (windows are short, orders within them few).
  int n = 0;
  for (auto it = sent_.rbegin(); it != sent_.rend() && now - *it < span; ++it) ++n;
  return n;
}

OrderBudget::Clock::duration OrderBudget::wait(Clock::time_point now) {
  forget_before(now);
  Clock::duration longest_wait = Clock::duration::zero();
  for (const auto& w : windows_) {
    const int n = sent_within(now, w.span);
    if (n < w.limit) continue;
    // The window frees a place when the order `limit` places back leaves it.
    const Clock::time_point oldest = sent_[sent_.size() - static_cast<std::size_t>(w.limit)];
    longest_wait = std::max(longest_wait, oldest + w.span - now);
  }
  return longest_wait;
}

void OrderBudget::spend(Clock::time_point now) {
  if (windows_.empty()) return;
  sent_.push_back(now);
}

const RateWindow* OrderBudget::full_window(Clock::time_point now) {
  forget_before(now);
  for (const auto& w : windows_)
    if (sent_within(now, w.span) >= w.limit) return &w;
  return nullptr;
}

}  // namespace ptp::core
