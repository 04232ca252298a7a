#include <catch2/catch.hpp>

#include "core/retry_backoff.hpp"

using ptp::core::RetryBackoff;
using namespace std::chrono_literals;

TEST_CASE("a failing action waits 1 s, then twice as long each time up to 60 s, and a success resets it", "[backoff]") {
  RetryBackoff b;
  const auto t0 = RetryBackoff::Clock::time_point{} + 1000s;
  CHECK(b.ready(t0));
  b.failed(t0);
  CHECK(b.wait() == 1s);
  CHECK_FALSE(b.ready(t0 + 999ms));
  CHECK(b.ready(t0 + 1s));
  std::vector<std::chrono::seconds> waits;
  for (int i = 0; i < 8; ++i) {
    b.failed(t0);
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(b.wait()));
  }
  CHECK(waits == std::vector<std::chrono::seconds>{2s, 4s, 8s, 16s, 32s, 60s, 60s, 60s});
  CHECK(b.failures() == 9);
  b.succeeded();
  CHECK(b.ready(t0));
  CHECK(b.failures() == 0);
  b.failed(t0);
  CHECK(b.wait() == 1s);
}
