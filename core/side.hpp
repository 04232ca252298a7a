// Position side and the sign it gives to price moves.
#pragma once

#include <string_view>

namespace ptp::core {

enum class Side : unsigned char { long_, short_ };

// +1 for long (profit when the price rises), -1 for short.
constexpr int direction(Side s) { return s == Side::long_ ? 1 : -1; }
constexpr std::string_view to_string(Side s) { return s == Side::long_ ? "long" : "short"; }
constexpr Side opposite(Side s) { return s == Side::long_ ? Side::short_ : Side::long_; }

// Accepts "long"/"short" (any case) and the exchanges' "buy"/"sell"; throws std::invalid_argument.
Side parse_side(std::string_view text);

}  // namespace ptp::core
