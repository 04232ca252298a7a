#include <catch2/catch.hpp>

#include "core/order_budget.hpp"

using namespace ptp::core;
using namespace std::chrono_literals;

TEST_CASE("the order budget lets orders go until a window is full then says how long to wait", "[budget]") {
  OrderBudget b({{3, 1000ms}});
  const auto t0 = OrderBudget::Clock::now();
  for (int i = 0; i < 3; ++i) {
    REQUIRE(b.wait(t0 + std::chrono::milliseconds(100 * i)) == OrderBudget::Clock::duration::zero());
    b.spend(t0 + std::chrono::milliseconds(100 * i));
  }
  CHECK(b.wait(t0 + 300ms) == 700ms);  // the first leaves the window at t0 + 1 s
  REQUIRE(b.full_window(t0 + 300ms) != nullptr);
  CHECK(b.full_window(t0 + 300ms)->str() == "3 per 1 s");
  CHECK(b.wait(t0 + 1000ms) == OrderBudget::Clock::duration::zero());
}

TEST_CASE("the order budget keeps every window: the longest wait wins", "[budget]") {
  OrderBudget b({{2, 1000ms}, {3, 60000ms}});
  const auto t0 = OrderBudget::Clock::now();
  b.spend(t0);
  b.spend(t0 + 10ms);
  CHECK(b.wait(t0 + 20ms) == 980ms);  // the short window is full
  b.spend(t0 + 2000ms);
  CHECK(b.wait(t0 + 2010ms) == 57990ms);  // three in the minute: the first leaves at t0 + 60 s
  CHECK(b.full_window(t0 + 2010ms)->str() == "3 per 1 min");
}

TEST_CASE("an empty budget never waits", "[budget]") {
  OrderBudget b;
  const auto t0 = OrderBudget::Clock::now();
  for (int i = 0; i < 1000; ++i) b.spend(t0);
  CHECK(b.wait(t0) == OrderBudget::Clock::duration::zero());
}

TEST_CASE("the node's share of an exchange limit keeps at least one order", "[budget]") {
  const auto shared = share_of({{300, 10000ms}, {1200, 60000ms}, {1, 1000ms}}, 50);
  REQUIRE(shared.size() == 3);
  CHECK(shared[0].limit == 150);
  CHECK(shared[1].limit == 600);
  CHECK(shared[2].limit == 1);
}
