#include <catch2/catch.hpp>

#include "core/time_text.hpp"

namespace ptp::core {

TEST_CASE("UTC times parse in the forms configs and CSV files use and print back", "[time]") {
  CHECK(parse_utc_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_utc_ms("2024-01-01T00:00:00Z") == 1704067200000);
  CHECK(parse_utc_ms("2024-01-01 00:00:01.250") == 1704067201250);
  CHECK(parse_utc_ms("2024-02-29") == 1709164800000);  // a leap day
  CHECK(parse_utc_ms("1704067200000") == 1704067200000);
  CHECK_FALSE(parse_utc_ms(""));
  CHECK_FALSE(parse_utc_ms("2024-13-01"));
  CHECK_FALSE(parse_utc_ms("2024-01-01T25:00:00Z"));
  CHECK_FALSE(parse_utc_ms("2024-01-01T00:00:00+02:00"));
  CHECK_FALSE(parse_utc_ms("yesterday"));
  CHECK(format_utc_ms(1704067200000) == "2024-01-01 00:00:00");
  CHECK(format_utc_ms(1709164800250) == "2024-02-29 00:00:00.250");
  CHECK(parse_utc_ms(format_utc_ms(1735689599999)) == 1735689599999);
}

}  // namespace ptp::core
