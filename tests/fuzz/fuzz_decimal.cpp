// Fuzz target: the decimal parser (every price and quantity from configs and exchanges).
// Properties: parse_decimal_units never throws; a parsed value formats and parses back to itself;
// the throwing variant agrees with it and throws only DecimalError.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/decimal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto units = ptp::core::parse_decimal_units(text);
  try {
    const std::int64_t thrown = ptp::core::parse_decimal_units_or_throw(text);
    if (!units || *units != thrown) std::abort();  // the two parsers disagree
  } catch (const ptp::core::DecimalError&) {
    if (units) std::abort();
  }
  if (units) {
    const auto again = ptp::core::parse_decimal_units(ptp::core::format_decimal_units(*units));
    if (!again || *again != *units) std::abort();  // no round trip
  }
  return 0;
}
