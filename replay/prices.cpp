#include "replay/prices.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/text.hpp"

namespace ptp::replay {
namespace {

using core::Price;

enum class Format : unsigned char { recording, kline, agg_trades };

std::string where(const std::string& path, std::size_t line) { return path + ":" + std::to_string(line); }

// Splits one CSV line (no quoting: none of these formats quotes) into at most N fields.
template <std::size_t N>
std::size_t split(std::string_view line, std::array<std::string_view, N>& out) {
  std::size_t n = 0, start = 0;
  while (n < N) {
    const std::size_t comma = line.find(',', start);
    out[n++] = line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (comma == std::string_view::npos) return n;
    start = comma + 1;
  }
  return N + 1;  // more fields than expected
}

bool is_int(std::string_view s) {
  std::size_t i = s.size() && s[0] == '-' ? 1 : 0;
  return s.size() > i && s.find_first_not_of("0123456789", i) == std::string_view::npos;
}

struct At {  // where a field is, built into text only for an error
  const std::string& path;
  std::size_t line;
  std::string str() const { return where(path, line); }
};

std::int64_t int_field(std::string_view s, const At& at, const char* name) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0)
    throw InputError(at.str() + ": " + name + " \"" + std::string(s) + "\" is not a timestamp");
  return to_ms(v);
}

Price price_field(std::string_view s, const At& at, const char* name) {
  auto units = core::parse_decimal_units(s);
  if (!units || *units <= 0) throw InputError(at.str() + ": " + name + " \"" + std::string(s) + "\" is not a positive price");
  return Price::from_units(*units);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the price file");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw InputError(path + ": cannot read the price file");
  return buf.str();
}

core::Symbol symbol_for(const std::string& path, const std::optional<core::Symbol>& hint) {
  if (hint) return *hint;
  const std::string name = std::filesystem::path(path).filename().string();
  const std::string head = core::ascii_upper(name.substr(0, name.find_first_of("-_.")));
  // Binance names its files after the symbol with its quote glued on: BTCUSDT-1m-2024-01.csv.
  const bool quoted = head.size() > 4 && (head.ends_with("USDT") || head.ends_with("USDC"));
  try {
    if (!quoted) throw core::SymbolError(head);
    return core::Symbol::parse(head);
  } catch (const core::SymbolError&) {
    throw InputError(path + ": cannot tell the symbol from the file name (expected BTCUSDT-1m-2024-01.csv); give --symbol");
  }
}

SymbolPrices& slot(PriceSet& into, const core::Symbol& s, const std::string& at) {
  auto [it, fresh] = into.try_emplace(s);
  if (fresh) {
    it->second.symbol = s;
    it->second.first_source = at;
  }
  return it->second;
}

}  // namespace

std::vector<Tick> SymbolPrices::path(core::Side side, BarPath mode) const {
  std::vector<Tick> out;
  out.reserve(size());
  // Long: the low first is the worst; short: the high first.
  const bool low_first = (side == core::Side::long_) == (mode == BarPath::worst);
  std::size_t t = 0;
  for (const Bar& b : bars) {
    while (t < ticks.size() && ticks[t].ms < b.open_ms) out.push_back(ticks[t++]);
    const std::int64_t third = (b.close_ms - b.open_ms) / 3;
    out.push_back({b.open_ms, b.open});
    out.push_back({b.open_ms + third, low_first ? b.low : b.high});
    out.push_back({b.open_ms + 2 * third, low_first ? b.high : b.low});
    out.push_back({b.close_ms, b.close});
  }
  while (t < ticks.size()) out.push_back(ticks[t++]);
  return out;
}

void load_prices(const std::string& path, const std::optional<core::Symbol>& symbol_hint, PriceSet& into) {
  const std::string text = read_all(path);
  std::optional<Format> format;
  std::optional<core::Symbol> file_symbol;
  std::size_t line_no = 0, count = 0;
  std::string_view last_sym_text;
  SymbolPrices* last_slot = nullptr;
  std::map<const SymbolPrices*, std::int64_t> last_ms;  // per symbol, within this file
  const SymbolPrices* prev_slot = nullptr;
  std::int64_t* prev_ms = nullptr;
  std::size_t pos = 0;
  std::array<std::string_view, 12> f{};
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const std::size_t n = split(line, f);
    if (!format) {
      // The header names the format; without one the column count does.
      const bool header = !is_int(f[0]);
      if (header && f[0] == "ts_ms") format = Format::recording;
      else if (header && (f[0] == "open_time" || f[0] == "open time")) format = Format::kline;
      else if (header && f[0] == "agg_trade_id") format = Format::agg_trades;
      else if (header)
        throw InputError(where(path, line_no) + ": unknown header \"" + std::string(line.substr(0, 60)) +
                         "\" (expected ts_ms,symbol,price or a Binance kline or aggTrades file)");
      else if (n == 3) format = Format::recording;
      else if (n == 12) format = Format::kline;
      else if (n == 7 || n == 8) format = Format::agg_trades;  // futures 7; spot adds is_best_match
      else
        throw InputError(where(path, line_no) + ": " + std::to_string(n > 12 ? 13 : n) +
                         " columns: not a recording (3), a Binance kline (12) or aggTrades (7 or 8) file");
      if (*format != Format::recording) file_symbol = symbol_for(path, symbol_hint);
      if (header) continue;
    }
    const std::size_t want = *format == Format::recording ? 3 : *format == Format::kline ? 12 : 7;
    if (n != want && !(*format == Format::agg_trades && n == 8))
      throw InputError(where(path, line_no) + ": expected " + std::to_string(want) + " columns, found " +
                       (n > 12 ? std::string("more") : std::to_string(n)));
    const At at_line{path, line_no};
    SymbolPrices* s = nullptr;
    if (*format == Format::recording) {
      if (!last_slot || f[1] != last_sym_text) {
        try {
          last_slot = &slot(into, core::Symbol::parse(f[1]), at_line.str());
        } catch (const core::SymbolError& e) {
          throw InputError(at_line.str() + ": " + e.what());
        }
        last_sym_text = f[1];
      }
      s = last_slot;
    } else {
      if (!last_slot) last_slot = &slot(into, *file_symbol, at_line.str());
      s = last_slot;
    }
    std::int64_t ms = 0;
    if (*format == Format::kline) {
      Bar b{int_field(f[0], at_line, "open_time"), int_field(f[6], at_line, "close_time"),
            price_field(f[1], at_line, "open"), price_field(f[2], at_line, "high"), price_field(f[3], at_line, "low"),
            price_field(f[4], at_line, "close")};
      if (b.high < b.low || b.open > b.high || b.open < b.low || b.close > b.high || b.close < b.low)
        throw InputError(at_line.str() + ": the bar's open and close are not within its low and high");
      if (b.close_ms < b.open_ms) throw InputError(at_line.str() + ": close_time is before open_time");
      ms = b.open_ms;
      s->bars.push_back(b);
    } else if (*format == Format::agg_trades) {
      ms = int_field(f[5], at_line, "transact_time");
      s->ticks.push_back({ms, price_field(f[1], at_line, "price")});
    } else {
      ms = int_field(f[0], at_line, "ts_ms");
      s->ticks.push_back({ms, price_field(f[2], at_line, "price")});
    }
    if (s != prev_slot) {
      auto [it, fresh] = last_ms.try_emplace(s, ms);
      prev_slot = s;
      prev_ms = &it->second;
    }
    if (ms < *prev_ms)
      throw InputError(at_line.str() + ": timestamps go backwards (" + std::to_string(ms) + " after " +
                       std::to_string(*prev_ms) + ")");
    *prev_ms = ms;
    ++count;
  }
  if (count == 0) throw InputError(path + ": no prices in the file");
  // Several files of one symbol (a month each) may come in any order: keep each symbol's prices in time.
  const auto by_time = [](const Tick& a, const Tick& b) { return a.ms < b.ms; };
  const auto by_open = [](const Bar& a, const Bar& b) { return a.open_ms < b.open_ms; };
  for (auto& [sym, s] : into) {
    if (!std::is_sorted(s.ticks.begin(), s.ticks.end(), by_time)) std::stable_sort(s.ticks.begin(), s.ticks.end(), by_time);
    if (!std::is_sorted(s.bars.begin(), s.bars.end(), by_open)) std::stable_sort(s.bars.begin(), s.bars.end(), by_open);
  }
}

}  // namespace ptp::replay
