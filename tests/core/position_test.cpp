#include <catch2/catch.hpp>

#include "core/position.hpp"
#include "test_positions.hpp"

using namespace ptp::core;
using ptp::test::adopted;
using ptp::test::eth_filters;
using ptp::test::key_of;

TEST_CASE("adoption captures the initial stop as the R unit", "[position]") {
  auto a = adopt(key_of("ETH", Side::long_), Price::parse("2000"), Qty::parse("1.5"), Price::parse("1950"),
                 std::nullopt, eth_filters());
  REQUIRE(a.status == AdoptStatus::adopted);
  CHECK(a.position->initial_stop.str() == "1950");
  CHECK(a.position->current_stop.str() == "1950");
  CHECK(a.position->risk().str() == "50");
  CHECK(a.position->original_size.str() == "1.5");
  CHECK(a.position->remaining_size.str() == "1.5");
}

TEST_CASE("a stop at the entry or on the wrong side is rejected with a reason, not a NaN", "[position]") {
  auto at_entry = adopt(key_of("ETH", Side::long_), Price::parse("2000"), Qty::parse("1"), Price::parse("2000"),
                        std::nullopt, eth_filters());
  CHECK(at_entry.status == AdoptStatus::rejected);
  CHECK_FALSE(at_entry.position);
  CHECK_THAT(at_entry.reason, Catch::Contains("equals the entry"));

  auto long_above = adopt(key_of("ETH", Side::long_), Price::parse("2000"), Qty::parse("1"), Price::parse("2050"),
                          std::nullopt, eth_filters());
  CHECK(long_above.status == AdoptStatus::rejected);
  CHECK_THAT(long_above.reason, Catch::Contains("wrong side") && Catch::Contains("long"));

  auto short_below = adopt(key_of("ETH", Side::short_), Price::parse("2000"), Qty::parse("1"), Price::parse("1950"),
                           std::nullopt, eth_filters());
  CHECK(short_below.status == AdoptStatus::rejected);
  CHECK_THAT(short_below.reason, Catch::Contains("binance:main:ETH_USDT:short#1"));

  auto zero_size = adopt(key_of("ETH", Side::long_), Price::parse("2000"), Qty{}, Price::parse("1950"), std::nullopt,
                         eth_filters());
  CHECK(zero_size.status == AdoptStatus::rejected);
}

TEST_CASE("a position without a stop gets the default distance, or is left alone", "[position]") {
  auto with_default = adopt(key_of("ETH", Side::long_), Price::parse("2000"), Qty::parse("1"), std::nullopt,
                            Ratio::parse("2"), eth_filters());
  REQUIRE(with_default.status == AdoptStatus::adopted_default_stop);
  CHECK(with_default.position->initial_stop.str() == "1960");

  auto short_default = adopt(key_of("ETH", Side::short_), Price::parse("2000.01"), Qty::parse("1"), std::nullopt,
                             Ratio::parse("1.5"), eth_filters());
  REQUIRE(short_default.position);
  CHECK(short_default.position->initial_stop.str() == "2030.02");  // 2030.010150 rounded up, away from entry

  auto alone = adopt(key_of("ETH", Side::long_), Price::parse("2000"), Qty::parse("1"), std::nullopt, std::nullopt,
                     eth_filters());
  CHECK(alone.status == AdoptStatus::left_alone);
  CHECK_FALSE(alone.position);
  CHECK_THAT(alone.reason, Catch::Contains("never guessed"));
}

TEST_CASE("R stays finite after the stop moves to breakeven and keeps the initial risk", "[position]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1");
  p.current_stop = p.entry;  // stage 1 moved the stop to breakeven
  CHECK(p.risk().str() == "50");
  CHECK(r_multiple(p, Price::parse("2100")).str() == "2");
  CHECK(r_multiple(p, Price::parse("1975")).str() == "-0.5");
}

TEST_CASE("R, trigger prices and stop targets are symmetric for shorts", "[position]") {
  Position s = adopted("ETH", Side::short_, "2000", "2050", "1");
  CHECK(r_multiple(s, Price::parse("1900")).str() == "2");
  CHECK(trigger_price(s, Ratio::parse("1")).str() == "1950");
  CHECK(stop_target(s, Ratio::parse("1")).str() == "1950");
  CHECK(at_or_beyond(Side::short_, Price::parse("1949"), Price::parse("1950")));
  CHECK_FALSE(at_or_beyond(Side::short_, Price::parse("1951"), Price::parse("1950")));
  CHECK(tighter_stop(Side::short_, Price::parse("2000"), Price::parse("2050")));
}

TEST_CASE("trigger prices round away from the entry so reaching them means reaching the R", "[position]") {
  Position p = adopted("ETH", Side::long_, "100", "99.99999997", "1");  // 1R = 3e-8
  // 1.5R = 4.5e-8: reached only at 100.00000005, not at ...04
  CHECK(trigger_price(p, Ratio::parse("1.5")).str() == "100.00000005");
  CHECK(stop_target(p, Ratio::parse("1.5")).str() == "100.00000004");
}

TEST_CASE("position keys name exchange, account, symbol, side and generation", "[position]") {
  CHECK(key_of("ETHUSDT", Side::long_, 3).str() == "binance:main:ETH_USDT:long#3");
  CHECK(key_of("ETH", Side::long_) != key_of("ETHFI", Side::long_));
  CHECK(key_of("ETH", Side::long_, 1) != key_of("ETH", Side::long_, 2));
}
