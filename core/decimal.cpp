#include "core/decimal.hpp"

#include <limits>

#include "core/int128.hpp"

namespace ptp::core {
namespace {

using i128 = Int128;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

enum class ParseFault { none, empty, bad_char, no_digits, too_precise, out_of_range };

ParseFault parse_units(std::string_view text, std::int64_t& out) noexcept {
  if (text.empty()) return ParseFault::empty;
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  i128 value = 0;
  int int_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return ParseFault::bad_char;
    value = value * 10 + (c - '0');
    if (value > kMax) return ParseFault::out_of_range;
    ++int_digits;
  }
  if (int_digits == 0) return ParseFault::no_digits;
  value *= kDecimalOne;
  if (value > kMax) return ParseFault::out_of_range;
  if (i < text.size()) {  // fractional part after '.'
    ++i;
    if (i == text.size()) return ParseFault::no_digits;
    std::int64_t place = kDecimalOne / 10;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return ParseFault::bad_char;
      if (place == 0) {
        if (c != '0') return ParseFault::too_precise;
        continue;
      }
      value += static_cast<i128>(c - '0') * place;
      place /= 10;
    }
    if (value > kMax) return ParseFault::out_of_range;
  }
  out = static_cast<std::int64_t>(negative ? -value : value);
  return ParseFault::none;
}

const char* describe(ParseFault f) {
  switch (f) {
    case ParseFault::empty: return "is empty";
    case ParseFault::bad_char: return "is not a plain decimal number (digits, one '.', optional leading '-')";
    case ParseFault::no_digits: return "has no digits on one side of the decimal point";
    case ParseFault::too_precise: return "has more than 8 decimal places";
    case ParseFault::out_of_range: return "is out of range";
    case ParseFault::none: break;
  }
  return "is invalid";
}

std::int64_t checked(i128 v, const char* what) {
  if (v > kMax || v < -kMax) throw std::overflow_error(std::string(what) + ": result out of range");
  return static_cast<std::int64_t>(v);
}

// Floor and ceiling division for a positive divisor.
i128 floor_div(i128 a, i128 b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
i128 ceil_div(i128 a, i128 b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

}  // namespace

std::optional<std::int64_t> parse_decimal_units(std::string_view text) noexcept {
  std::int64_t out = 0;
  if (parse_units(text, out) != ParseFault::none) return std::nullopt;
  return out;
}

std::int64_t parse_decimal_units_or_throw(std::string_view text) {
  std::int64_t out = 0;
  ParseFault f = parse_units(text, out);
  if (f != ParseFault::none)
    throw DecimalError("decimal \"" + std::string(text) + "\" " + describe(f));
  return out;
}

std::string format_decimal_units(std::int64_t units) {
  i128 v = units;
  bool negative = v < 0;
  if (negative) v = -v;
  std::string whole = std::to_string(static_cast<std::uint64_t>(v / kDecimalOne));
  std::int64_t frac = static_cast<std::int64_t>(v % kDecimalOne);
  std::string out = negative ? "-" + whole : whole;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, kDecimalPlaces - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

std::int64_t truncate_decimal_units(std::int64_t units, int places) {
  std::int64_t step = 1;
  for (int i = places; i < kDecimalPlaces; ++i) step *= 10;
  return units / step * step;
}

std::int64_t floor_to_multiple(std::int64_t units, std::int64_t step) {
  if (step <= 0) throw std::invalid_argument("rounding step must be positive");
  return checked(floor_div(units, step) * step, "floor_to_multiple");
}

std::int64_t ceil_to_multiple(std::int64_t units, std::int64_t step) {
  if (step <= 0) throw std::invalid_argument("rounding step must be positive");
  return checked(ceil_div(units, step) * step, "ceil_to_multiple");
}

Notional notional(Price price, Qty qty) {
  i128 product = static_cast<i128>(price.units()) * qty.units() / kDecimalOne;
  return Notional::from_units(checked(product, "notional"));
}

Price scale(Price distance, Ratio ratio, bool round_up) {
  i128 product = static_cast<i128>(distance.units()) * ratio.units();
  i128 q = round_up ? ceil_div(product, kDecimalOne) : floor_div(product, kDecimalOne);
  return Price::from_units(checked(q, "price x ratio"));
}

Ratio ratio_of(Price numerator, Price denominator) {
  if (denominator.is_zero()) throw std::invalid_argument("ratio_of: zero denominator");
  i128 q = static_cast<i128>(numerator.units()) * kDecimalOne / denominator.units();
  return Ratio::from_units(checked(q, "ratio"));
}

}  // namespace ptp::core
