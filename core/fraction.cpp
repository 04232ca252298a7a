#include "core/fraction.hpp"

#include <numeric>
#include <stdexcept>

#include "core/int128.hpp"

namespace ptp::core {

Fraction::Fraction(std::int64_t num, std::int64_t den) {
  if (den <= 0) throw std::invalid_argument("fraction denominator must be positive");
  if (num < 0) throw std::invalid_argument("fraction must not be negative");
  std::int64_t g = std::gcd(num, den);
  num_ = num / g;
  den_ = den / g;
}

Fraction Fraction::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    std::int64_t units = parse_decimal_units_or_throw(text);
    return Fraction(units, kDecimalOne);
  }
  auto whole = [&](std::string_view part) {
    std::int64_t units = parse_decimal_units_or_throw(part);
    if (units % kDecimalOne != 0)
      throw std::invalid_argument("fraction \"" + std::string(text) + "\" needs whole numbers on both sides of '/'");
    return units / kDecimalOne;
  };
  std::int64_t num = whole(text.substr(0, slash));
  std::int64_t den = whole(text.substr(slash + 1));
  if (den == 0) throw std::invalid_argument("fraction \"" + std::string(text) + "\" divides by zero");
  return Fraction(num, den);
}

std::string Fraction::str() const {
  if (den_ == 1) return std::to_string(num_);
  return std::to_string(num_) + "/" + std::to_string(den_);
}

Qty Fraction::of(Qty size) const {
  Int128 v = static_cast<Int128>(size.units()) * num_ / den_;
  return Qty::from_units(static_cast<std::int64_t>(v));
}

Fraction Fraction::operator+(Fraction o) const {
  Int128 num = static_cast<Int128>(num_) * o.den_ + static_cast<Int128>(o.num_) * den_;
  Int128 den = static_cast<Int128>(den_) * o.den_;
  Int128 a = num, b = den;
  while (b != 0) {  // reduce in 128 bits before narrowing
    Int128 t = a % b;
    a = b;
    b = t;
  }
  num /= a;
  den /= a;
  if (num > INT64_MAX || den > INT64_MAX) throw std::overflow_error("fraction sum out of range");
  return Fraction(static_cast<std::int64_t>(num), static_cast<std::int64_t>(den));
}

bool operator<(Fraction a, Fraction b) {
  return static_cast<Int128>(a.num_) * b.den_ < static_cast<Int128>(b.num_) * a.den_;
}

}  // namespace ptp::core
