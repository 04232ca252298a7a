#include "exchange/frames.hpp"

#include <algorithm>

namespace ptp::exchange {

SymbolTable::SymbolTable(const std::vector<core::Symbol>& symbols, const Spelling& spell) : symbols_(symbols) {
  for (std::size_t i = 0; i < symbols_.size(); ++i) sorted_.emplace_back(spell(symbols_[i]), static_cast<int>(i));
  std::sort(sorted_.begin(), sorted_.end());
}

int SymbolTable::find(std::string_view spelling) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), spelling,
                             [](const auto& entry, std::string_view s) { return std::string_view(entry.first) < s; });
  if (it == sorted_.end() || it->first != spelling) return -1;
  return it->second;
}

std::string_view to_string(FrameResult r) {
  switch (r) {
    case FrameResult::tick: return "tick";
    case FrameResult::ignored: return "ignored";
    case FrameResult::malformed: return "malformed";
    case FrameResult::unknown_symbol: return "unknown_symbol";
    case FrameResult::bad_price: return "bad_price";
  }
  return "?";
}

}  // namespace ptp::exchange
