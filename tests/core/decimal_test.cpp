#include <catch2/catch.hpp>

#include "core/decimal.hpp"
#include "core/fraction.hpp"

using namespace ptp::core;

TEST_CASE("decimal text parses exactly into 1e-8 units", "[decimal]") {
  CHECK(Price::parse("11794.15000000").units() == 1'179'415'000'000);
  CHECK(Qty::parse("0.001").units() == 100'000);
  CHECK(Qty::parse("0.00000001").units() == 1);
  CHECK(Price::parse("0").units() == 0);
  CHECK(Price::parse("-1.5").units() == -150'000'000);
  CHECK(Price::parse("2.1000000000").units() == 210'000'000);  // zeros past 8 places are fine
  CHECK(Price::parse("92233720368.54775807").units() == INT64_MAX);
}

TEST_CASE("malformed decimal text is a clear error", "[decimal]") {
  for (const char* bad : {"", "-", ".5", "5.", "1e-8", "1,5", " 1", "1 ", "+1", "0x10", "1.2.3", "nan", "inf"}) {
    INFO(bad);
    CHECK_FALSE(parse_decimal_units(bad).has_value());
    CHECK_THROWS_AS(Price::parse(bad), DecimalError);
  }
  CHECK_THROWS_WITH(Price::parse("0.123456789"), Catch::Contains("more than 8 decimal places"));
  CHECK_THROWS_WITH(Price::parse("92233720368.54775808"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(Price::parse("99999999999999999999999"), Catch::Contains("\"99999999999999999999999\""));
}

TEST_CASE("decimals format back without float noise or trailing zeros", "[decimal]") {
  CHECK(Price::parse("11794.15000000").str() == "11794.15");
  CHECK(Qty::parse("0.1").str() == "0.1");
  CHECK((Qty::parse("0.1") + Qty::parse("0.2")).str() == "0.3");  // 0.30000000000000004 with double
  CHECK(Price::parse("-0.5").str() == "-0.5");
  CHECK(Price::parse("100").str() == "100");
  CHECK(Qty::from_units(1).str() == "0.00000001");
  for (const char* s : {"0.001", "2000", "0.00012345", "123456.789", "-42.42"}) CHECK(Price::parse(s).str() == s);
}

TEST_CASE("rounding to a step goes in the asked direction on both signs", "[decimal]") {
  const Qty step = Qty::parse("0.001");
  CHECK(Qty::parse("0.3339").floor_to(step).str() == "0.333");
  CHECK(Qty::parse("0.3331").ceil_to(step).str() == "0.334");
  CHECK(Qty::parse("0.333").floor_to(step).str() == "0.333");
  CHECK(Qty::parse("-0.3331").floor_to(step).str() == "-0.334");
  CHECK(Qty::parse("-0.3339").ceil_to(step).str() == "-0.333");
  CHECK(Qty::parse("0.5").is_multiple_of(Qty::parse("0.25")));
  CHECK_FALSE(Qty::parse("0.5").is_multiple_of(Qty::parse("0.3")));
  CHECK_THROWS(Qty::parse("1").floor_to(Qty{}));
}

TEST_CASE("products and ratios use exact integer arithmetic", "[decimal]") {
  CHECK(notional(Price::parse("60000"), Qty::parse("0.001")).str() == "60");
  CHECK(scale(Price::parse("50"), Ratio::parse("1.5"), false).str() == "75");
  CHECK(scale(Price::parse("0.00000001"), Ratio::parse("0.5"), false).units() == 0);
  CHECK(scale(Price::parse("0.00000001"), Ratio::parse("0.5"), true).units() == 1);
  CHECK(ratio_of(Price::parse("100"), Price::parse("50")).str() == "2");
  CHECK(ratio_of(Price::parse("-25"), Price::parse("50")).str() == "-0.5");
  CHECK_THROWS(ratio_of(Price::parse("1"), Price{}));
  CHECK_THROWS_AS(notional(Price::parse("90000000000"), Qty::parse("90000000000")), std::overflow_error);
}

TEST_CASE("fractions are exact rationals: three thirds make a whole", "[decimal]") {
  const Fraction third = Fraction::parse("1/3");
  CHECK(third.str() == "1/3");
  CHECK(third + third + third == Fraction(1, 1));
  CHECK(Fraction::parse("0.25") == Fraction(1, 4));
  CHECK(Fraction::parse("2/6") == third);
  CHECK(third.of(Qty::parse("1")).str() == "0.33333333");
  CHECK(Fraction(1, 2) < Fraction(2, 3));
  CHECK_THROWS(Fraction::parse("1/0"));
  CHECK_THROWS(Fraction::parse("-1/3"));
  CHECK_THROWS(Fraction::parse("1.5/3"));
  CHECK_THROWS(Fraction::parse("a/3"));
}

#include "core/latency_histogram.hpp"

TEST_CASE("the latency histogram reports percentiles within its bucket precision", "[histogram]") {
  LatencyHistogram h;
  for (int i = 1; i <= 100000; ++i) h.record(i);
  CHECK(h.count() == 100000);
  CHECK(h.max() == 100000);
  auto near = [](std::int64_t got, double want) { return static_cast<double>(got) >= want && static_cast<double>(got) <= want * 1.04; };
  CHECK(near(h.percentile(0.5), 50000));
  CHECK(near(h.percentile(0.99), 99000));
  CHECK(h.percentile(1.0) == 100000);
  LatencyHistogram small;
  for (int v : {0, 1, 2, 31}) small.record(v);
  CHECK(small.percentile(0.0) == 0);
  CHECK(small.percentile(0.99) == 31);
  small.merge(h);
  CHECK(small.count() == 100004);
}
