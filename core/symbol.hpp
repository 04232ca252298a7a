// Instruments, venue-neutral.
//
// Matching is exact on (base, quote): ETH never matches ETHFI, ETHW or WETH. A multiplier-prefixed
// contract (Binance 1000PEPEUSDT) has base "1000PEPE" and is a different instrument from PEPE.
#pragma once

#include <compare>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ptp::core {

enum class Exchange : unsigned char { sim, binance, gateio };

std::string_view to_string(Exchange e);
// Accepts "sim", "binance", "gateio" (also "gate", "gate.io"); throws std::invalid_argument.
Exchange parse_exchange(std::string_view text);

class SymbolError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A canonical instrument: base and quote asset, upper case, e.g. (ETH, USDT).
class Symbol {
 public:
  // Throws SymbolError unless both are 1..20 characters of [A-Z0-9] (lower case is upper-cased).
  Symbol(std::string_view base, std::string_view quote);

  // Parses "ETH", "eth", "ETHUSDT", "ethusdt", "ETH_USDT", "eth_usdt". A bare base gets
  // `default_quote`. Only USDT and USDC are recognised as a glued quote suffix ("ETHUSDT"), since
  // splitting "XYZABC" otherwise would be a guess. Throws SymbolError naming the text.
  static Symbol parse(std::string_view text, std::string_view default_quote = "USDT");

  const std::string& base() const { return base_; }
  const std::string& quote() const { return quote_; }

  // "ETH_USDT". Each venue spells it its own way (exchange/<venue>/).
  std::string canonical() const { return base_ + "_" + quote_; }

  auto operator<=>(const Symbol&) const = default;

 private:
  std::string base_;
  std::string quote_;
};

}  // namespace ptp::core
