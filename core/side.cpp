#include "core/side.hpp"

#include <stdexcept>
#include <string>

#include "core/text.hpp"

namespace ptp::core {

Side parse_side(std::string_view text) {
  std::string t = ascii_lower(text);
  if (t == "long" || t == "buy") return Side::long_;
  if (t == "short" || t == "sell") return Side::short_;
  throw std::invalid_argument("unknown side \"" + std::string(text) + "\" (expected long or short)");
}

}  // namespace ptp::core
