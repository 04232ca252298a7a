#include "core/repeat_throttle.hpp"

#include <cctype>

namespace ptp::core {

namespace {
// Beyond this many different failures, the quiet ones are dropped (a bound, not a policy).
constexpr std::size_t kMaxShapes = 4096;
}  // namespace

std::string failure_shape(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (char c : line)
    if (!std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  return out;
}

RepeatThrottle::RepeatThrottle(std::uint64_t every, Clock::duration forget_after)
    : every_(every == 0 ? 1 : every), forget_after_(forget_after) {}

RepeatThrottle& RepeatThrottle::failures() {
  static RepeatThrottle instance;
  return instance;
}

bool RepeatThrottle::writes(std::uint64_t n) const {
  if (n < every_) return (n & (n - 1)) == 0;  // 1, 2, 4, 8, ...
  return n % every_ == 0;
}

void RepeatThrottle::forget_quiet(Clock::time_point now) {
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (now - it->second.last >= forget_after_) it = seen_.erase(it);
    else ++it;
  }
}

std::optional<std::string> RepeatThrottle::pass(std::string_view line, Clock::time_point now) {
  return pass_as(failure_shape(line), line, now);
}

std::optional<std::string> RepeatThrottle::pass_as(std::string shape, std::string_view line, Clock::time_point now) {
  std::uint64_t n = 0;
  {
    std::lock_guard lock(mu_);
    if (seen_.size() >= kMaxShapes) forget_quiet(now);
    Seen& s = seen_[std::move(shape)];
    if (s.count > 0 && now - s.last >= forget_after_) s.count = 0;
    s.last = now;
    n = ++s.count;
  }
  if (!writes(n)) return std::nullopt;
  if (n == 1) return std::string(line);
  return std::string(line) + " [" + std::to_string(n) + " times so far; logged at 1, 2, 4, 8, ... then every " +
         std::to_string(every_) + "th]";
}

}  // namespace ptp::core
