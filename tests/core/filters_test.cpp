#include <catch2/catch.hpp>

#include "core/filters.hpp"

using namespace ptp::core;

namespace {
InstrumentFilters eth_binance() {
  return InstrumentFilters::in_base_units(Price::parse("0.01"), Qty::parse("0.001"), Qty::parse("0.001"),
                                    Notional::parse("20"));
}
}  // namespace

TEST_CASE("a close rounds down to the step, never more than planned", "[filters]") {
  auto s = size_close(Qty::parse("0.33333333"), Qty::parse("1"), Price::parse("2000"), eth_binance());
  CHECK(s.qty.str() == "0.333");
  CHECK_FALSE(s.skip);
  CHECK_FALSE(s.closes_all);
}

TEST_CASE("a close never exceeds what is open", "[filters]") {
  auto s = size_close(Qty::parse("0.5"), Qty::parse("0.2"), Price::parse("2000"), eth_binance());
  CHECK(s.qty.str() == "0.2");
  CHECK(s.closes_all);
}

TEST_CASE("a remainder that would fall below the minimum is closed too", "[filters]") {
  auto f = eth_binance();
  f.min_qty = Qty::parse("0.01");
  auto s = size_close(Qty::parse("0.995"), Qty::parse("1"), Price::parse("2000"), f);
  CHECK(s.qty.str() == "1");
  CHECK(s.closes_all);
}

TEST_CASE("a close that rounds to zero or below the minimum is skipped as below_min_qty", "[filters]") {
  auto f = eth_binance();
  auto zero = size_close(Qty::parse("0.0009"), Qty::parse("0.003"), Price::parse("2000"), f);
  CHECK(zero.qty.is_zero());
  REQUIRE(zero.skip);
  CHECK(to_string(*zero.skip) == "below_min_qty");
  f.min_qty = Qty::parse("0.01");
  auto small = size_close(Qty::parse("0.005"), Qty::parse("0.3"), Price::parse("2000"), f);
  CHECK(small.skip == SkipReason::below_min_qty);
}

TEST_CASE("min notional applies only where the exchange applies it to reduce-only orders", "[filters]") {
  auto f = eth_binance();  // Binance exempts reduce-only closes (-4164 text)
  auto exempt = size_close(Qty::parse("0.001"), Qty::parse("0.003"), Price::parse("2000"), f);
  CHECK(exempt.qty.str() == "0.001");  // notional 2 < 20, still closed
  f.min_notional_on_reduce_only = true;
  auto applied = size_close(Qty::parse("0.001"), Qty::parse("0.003"), Price::parse("2000"), f);
  CHECK(applied.skip == SkipReason::below_min_notional);
  CHECK(applied.qty.is_zero());
}

TEST_CASE("Gate.io sizes are whole contracts of the quanto multiplier", "[filters]") {
  auto f = InstrumentFilters::in_contracts(Price::parse("0.1"), Qty::parse("0.0001"), 1);
  CHECK(f.step_size.str() == "0.0001");
  CHECK(f.min_qty.str() == "0.0001");
  // 1/3 of 0.0100 BTC (100 contracts) is 33 contracts
  auto s = size_close(Qty::parse("0.00333333"), Qty::parse("0.01"), Price::parse("60000"), f);
  CHECK(s.qty.str() == "0.0033");
  CHECK(f.contracts(s.qty) == 33);
  CHECK_THROWS(f.contracts(Qty::parse("0.00005")));
  auto ten = InstrumentFilters::in_contracts(Price::parse("0.01"), Qty::parse("10"), 2);
  CHECK(ten.min_qty.str() == "20");
  auto skip = size_close(Qty::parse("15"), Qty::parse("100"), Price::parse("1"), ten);
  CHECK(skip.skip == SkipReason::below_min_qty);  // 15 rounds down to 1 contract < 2 contracts
  CHECK_THROWS(InstrumentFilters::in_contracts(Price::parse("0.01"), Qty::parse("10"), 0));
  CHECK_THROWS_AS(InstrumentFilters{}.contracts(Qty::parse("1")), std::logic_error);
}

TEST_CASE("a stop rounds to the tick on the side that keeps it valid", "[filters]") {
  auto f = eth_binance();
  auto long_stop = valid_stop_price(Side::long_, Price::parse("2000.005"), Price::parse("2100"), f);
  REQUIRE(long_stop);
  CHECK(long_stop->price.str() == "2000");  // down for a long
  CHECK_FALSE(long_stop->clamped);
  auto short_stop = valid_stop_price(Side::short_, Price::parse("2000.005"), Price::parse("1900"), f);
  REQUIRE(short_stop);
  CHECK(short_stop->price.str() == "2000.01");  // up for a short
}

TEST_CASE("a stop is never at or beyond the mark", "[filters]") {
  auto f = eth_binance();
  auto at_mark = valid_stop_price(Side::long_, Price::parse("2100"), Price::parse("2100"), f);
  REQUIRE(at_mark);
  CHECK(at_mark->price.str() == "2099.99");
  CHECK(at_mark->clamped);
  auto beyond = valid_stop_price(Side::short_, Price::parse("1899"), Price::parse("1900.005"), f);
  REQUIRE(beyond);
  CHECK(beyond->price.str() == "1900.01");
  CHECK(beyond->clamped);
  CHECK_FALSE(valid_stop_price(Side::long_, Price::parse("0.001"), Price::parse("0.01"), f));
}

TEST_CASE("filters are validated with the reason", "[filters]") {
  auto f = eth_binance();
  CHECK_NOTHROW(f.validate());
  f.min_qty = Qty::parse("0.0015");
  CHECK_THROWS_WITH(f.validate(), Catch::Contains("not a multiple of step_size"));
  f = eth_binance();
  f.tick_size = Price{};
  CHECK_THROWS_WITH(f.validate(), Catch::Contains("tick_size must be positive"));
}
