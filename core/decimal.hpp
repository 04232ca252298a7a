// Exact fixed-point decimals for prices, quantities and R multiples.
//
// Every value is an int64 count of 1e-8 units: exchanges publish at most 8 decimals, and an exact
// integer representation means a quantity sent to an exchange never carries binary-float noise.
// Distinct tag types keep a price from being passed where a quantity is expected.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ptp::core {

inline constexpr int kDecimalPlaces = 8;
inline constexpr std::int64_t kDecimalOne = 100'000'000;

// Thrown for malformed decimal text (config, exchange payloads); the message quotes the input.
class DecimalError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Parses "[-]digits[.digits]" with at most 8 significant decimals (trailing zeros beyond that are
// fine: "11794.150000000" parses). No exponents, no spaces, no leading '+'. Returns the value in
// 1e-8 units, or nullopt on malformed or out-of-range text. Does not allocate.
std::optional<std::int64_t> parse_decimal_units(std::string_view text) noexcept;

// Same as parse_decimal_units, but throws DecimalError naming the text and the reason.
std::int64_t parse_decimal_units_or_throw(std::string_view text);

// Formats 1e-8 units with no trailing zeros: 100000000 -> "1", 123000 -> "0.00123".
std::string format_decimal_units(std::int64_t units);

// Drops the decimals past `places` (0..8), toward zero.
std::int64_t truncate_decimal_units(std::int64_t units, int places);

// Rounds `units` to a multiple of `step` (> 0), toward negative or positive infinity.
std::int64_t floor_to_multiple(std::int64_t units, std::int64_t step);
std::int64_t ceil_to_multiple(std::int64_t units, std::int64_t step);

// A value in 1e-8 units with a tag that fixes what it measures.
template <class Tag>
class Fixed {
 public:
  constexpr Fixed() = default;
  static constexpr Fixed from_units(std::int64_t units) { return Fixed{units}; }
  static constexpr Fixed from_int(std::int64_t whole) { return Fixed{whole * kDecimalOne}; }
  static Fixed parse(std::string_view text) { return Fixed{parse_decimal_units_or_throw(text)}; }
  static std::optional<Fixed> try_parse(std::string_view text) noexcept {
    if (auto u = parse_decimal_units(text)) return Fixed{*u};
    return std::nullopt;
  }

  constexpr std::int64_t units() const { return units_; }
  std::string str() const { return format_decimal_units(units_); }
  // Truncated toward zero to `places` decimals, for logs: R 1.00955555 reads "1".
  std::string str(int places) const { return format_decimal_units(truncate_decimal_units(units_, places)); }

  constexpr bool is_zero() const { return units_ == 0; }
  constexpr bool is_positive() const { return units_ > 0; }
  constexpr bool is_negative() const { return units_ < 0; }

  constexpr Fixed operator+(Fixed o) const { return Fixed{units_ + o.units_}; }
  constexpr Fixed operator-(Fixed o) const { return Fixed{units_ - o.units_}; }
  constexpr Fixed operator-() const { return Fixed{-units_}; }
  constexpr Fixed& operator+=(Fixed o) { units_ += o.units_; return *this; }
  constexpr Fixed& operator-=(Fixed o) { units_ -= o.units_; return *this; }
  constexpr Fixed abs() const { return Fixed{units_ < 0 ? -units_ : units_}; }

  // Rounding to an exchange increment (tick size, step size); `step` must be positive.
  Fixed floor_to(Fixed step) const { return Fixed{floor_to_multiple(units_, step.units_)}; }
  Fixed ceil_to(Fixed step) const { return Fixed{ceil_to_multiple(units_, step.units_)}; }
  constexpr bool is_multiple_of(Fixed step) const { return step.units_ > 0 && units_ % step.units_ == 0; }

  constexpr auto operator<=>(const Fixed&) const = default;

 private:
  constexpr explicit Fixed(std::int64_t units) : units_(units) {}
  std::int64_t units_ = 0;
};

struct PriceTag {};
struct QtyTag {};
struct RatioTag {};
struct NotionalTag {};

using Price = Fixed<PriceTag>;        // a price or a price distance, in quote currency
using Qty = Fixed<QtyTag>;            // a base-asset quantity
using Ratio = Fixed<RatioTag>;        // a dimensionless number: an R multiple, a percentage
using Notional = Fixed<NotionalTag>;  // price x quantity, in quote currency

// price x qty, truncated toward zero to 1e-8; throws std::overflow_error past int64.
Notional notional(Price price, Qty qty);

// distance x ratio (e.g. risk unit x 1.5R). `round_up` picks the direction for inexact results
// (toward +infinity or -infinity); throws std::overflow_error past int64.
Price scale(Price distance, Ratio ratio, bool round_up);

// numerator / denominator as a ratio truncated toward zero; denominator must be non-zero.
Ratio ratio_of(Price numerator, Price denominator);

}  // namespace ptp::core
