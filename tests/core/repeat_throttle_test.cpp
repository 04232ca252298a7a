#include <catch2/catch.hpp>

#include <vector>

#include "core/repeat_throttle.hpp"

using ptp::core::RepeatThrottle;
using namespace std::chrono_literals;

namespace {

// Which occurrences (from 1) of the same failure are written, out of `n`.
std::vector<int> written(RepeatThrottle& t, int n, RepeatThrottle::Clock::time_point at) {
  std::vector<int> out;
  for (int i = 1; i <= n; ++i)
    if (t.pass("trailing stop " + std::to_string(2000 + i) + " failed: -2022 ReduceOnly Order is rejected", at)) out.push_back(i);
  return out;
}

}  // namespace

TEST_CASE("a repeated failure is written at its 1st 2nd 4th and 8th time then every Nth", "[throttle]") {
  RepeatThrottle t(16);
  const auto now = RepeatThrottle::Clock::now();
  CHECK(written(t, 50, now) == std::vector<int>{1, 2, 4, 8, 16, 32, 48});
}

TEST_CASE("a written repeat says how many times it happened", "[throttle]") {
  RepeatThrottle t(16);
  const auto now = RepeatThrottle::Clock::now();
  CHECK(*t.pass("order 1 refused", now) == "order 1 refused");
  const auto second = t.pass("order 2 refused", now);
  REQUIRE(second);
  CHECK(second->rfind("order 2 refused [2 times so far", 0) == 0);
  CHECK_FALSE(t.pass("order 3 refused", now));
}

TEST_CASE("different failures are counted apart", "[throttle]") {
  RepeatThrottle t(16);
  const auto now = RepeatThrottle::Clock::now();
  CHECK(t.pass("ETH refused", now));
  CHECK(t.pass("ETH refused", now));
  CHECK_FALSE(t.pass("ETH refused", now));
  CHECK(t.pass("BTC refused", now));
}

TEST_CASE("a failure quiet for the forget time starts over", "[throttle]") {
  RepeatThrottle t(16, 10s);
  const auto now = RepeatThrottle::Clock::now();
  CHECK(written(t, 3, now) == std::vector<int>{1, 2});
  CHECK(written(t, 3, now + 5s) == std::vector<int>{1});  // 4th, 5th, 6th: the 4th is written
  CHECK(written(t, 3, now + 20s) == std::vector<int>{1, 2});
}
