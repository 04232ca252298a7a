// An exact rational share of a size, so that "1/3" three times is exactly the whole.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/decimal.hpp"

namespace ptp::core {

class Fraction {
 public:
  constexpr Fraction() = default;
  // Throws std::invalid_argument unless 0 <= num/den and den > 0; stores the reduced form.
  Fraction(std::int64_t num, std::int64_t den);

  // Accepts "1/3", "0.3333", "0.5", "1", "0". Throws DecimalError / std::invalid_argument with the text.
  static Fraction parse(std::string_view text);

  constexpr std::int64_t num() const { return num_; }
  constexpr std::int64_t den() const { return den_; }
  bool is_zero() const { return num_ == 0; }
  std::string str() const;  // "1/3", "1/2", "0", "1"

  // The share of `size`, rounded down to 1e-8 (the step rounding happens later, also downwards).
  Qty of(Qty size) const;

  Fraction operator+(Fraction o) const;
  friend bool operator==(Fraction a, Fraction b) = default;
  friend bool operator<(Fraction a, Fraction b);
  friend bool operator<=(Fraction a, Fraction b) { return !(b < a); }

 private:
  std::int64_t num_ = 0;
  std::int64_t den_ = 1;
};

}  // namespace ptp::core
