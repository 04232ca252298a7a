// Which lines of a failure that keeps repeating reach the log: the 1st, 2nd, 4th, 8th, ... occurrence,
// then every `every`-th, each with the count so far. A storm of identical refusals stays readable
// (and cheap) while nothing is hidden: the count says how many there were. Two lines are the same
// failure when they differ only in their numbers (prices, counts, ids); a failure quiet for
// `forget_after` starts over at its 1st line.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ptp::core {

class RepeatThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RepeatThrottle(std::uint64_t every = 64, Clock::duration forget_after = std::chrono::minutes(10));

  // The line to write for this occurrence of `line` (itself, or itself with its count), or nothing.
  // Safe to call from any thread.
  std::optional<std::string> pass(std::string_view line, Clock::time_point now = Clock::now());
  // The same, for a failure named by `shape` (for lines whose text varies beyond their numbers).
  std::optional<std::string> pass_as(std::string shape, std::string_view line, Clock::time_point now = Clock::now());

  // The node's one throttle for failure lines, shared by every part that writes them.
  static RepeatThrottle& failures();

 private:
  struct Seen {
    std::uint64_t count = 0;
    Clock::time_point last{};
  };
  bool writes(std::uint64_t n) const;  // n: the occurrence, from 1
  void forget_quiet(Clock::time_point now);

  std::uint64_t every_;
  Clock::duration forget_after_;
  std::mutex mu_;
  std::unordered_map<std::string, Seen> seen_;
};

// `line` with its digits taken out: what makes two lines "the same failure".
std::string failure_shape(std::string_view line);

}  // namespace ptp::core
