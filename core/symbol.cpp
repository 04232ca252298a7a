#include "core/symbol.hpp"

#include <array>
#include <cctype>

#include "core/text.hpp"

namespace ptp::core {
namespace {

constexpr std::size_t kMaxAssetLength = 20;
constexpr std::array<std::string_view, 2> kGluedQuotes{"USDT", "USDC"};

std::string upper_asset(std::string_view asset, std::string_view role, std::string_view whole) {
  if (asset.empty() || asset.size() > kMaxAssetLength)
    throw SymbolError("symbol \"" + std::string(whole) + "\": " + std::string(role) +
                      " asset must be 1 to 20 characters");
  std::string out;
  out.reserve(asset.size());
  for (char c : asset) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) || u > 127)
      throw SymbolError("symbol \"" + std::string(whole) + "\": " + std::string(role) +
                        " asset may hold only letters and digits");
    out.push_back(static_cast<char>(std::toupper(u)));
  }
  return out;
}

}  // namespace

std::string_view to_string(Exchange e) {
  switch (e) {
    case Exchange::sim: return "sim";
    case Exchange::binance: return "binance";
    case Exchange::gateio: return "gateio";
  }
  return "?";
}

Exchange parse_exchange(std::string_view text) {
  std::string t = ascii_lower(text);
  if (t == "sim") return Exchange::sim;
  if (t == "binance") return Exchange::binance;
  if (t == "gateio" || t == "gate" || t == "gate.io") return Exchange::gateio;
  throw std::invalid_argument("unknown exchange \"" + std::string(text) + "\" (expected sim, binance or gateio)");
}

Symbol::Symbol(std::string_view base, std::string_view quote) {
  std::string whole = std::string(base) + "/" + std::string(quote);
  base_ = upper_asset(base, "base", whole);
  quote_ = upper_asset(quote, "quote", whole);
  if (base_ == quote_) throw SymbolError("symbol \"" + whole + "\": base and quote are the same asset");
}

Symbol Symbol::parse(std::string_view text, std::string_view default_quote) {
  if (text.empty()) throw SymbolError("symbol is empty");
  if (auto us = text.find('_'); us != std::string_view::npos) {
    if (text.find('_', us + 1) != std::string_view::npos)
      throw SymbolError("symbol \"" + std::string(text) + "\" has more than one '_'");
    return Symbol(upper_asset(text.substr(0, us), "base", text), upper_asset(text.substr(us + 1), "quote", text));
  }
  std::string up = upper_asset(text, "base", text);
  for (std::string_view q : kGluedQuotes) {
    if (up.size() > q.size() && up.compare(up.size() - q.size(), q.size(), q) == 0)
      return Symbol(std::string_view(up).substr(0, up.size() - q.size()), q);
  }
  if (up == "USDT" || up == "USDC")
    throw SymbolError("symbol \"" + std::string(text) + "\" names only a quote asset");
  return Symbol(up, default_quote);
}

}  // namespace ptp::core
