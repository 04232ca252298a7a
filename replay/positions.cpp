#include "replay/positions.hpp"

#include <fstream>

#include "core/time_text.hpp"
#include "replay/prices.hpp"

namespace ptp::replay {
namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    std::string f = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!f.empty() && (f.back() == ' ' || f.back() == '\r')) f.pop_back();
    while (!f.empty() && f.front() == ' ') f.erase(0, 1);
    out.push_back(f);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

std::vector<PositionSpec> positions_from_config(const config::Config& cfg) {
  std::vector<PositionSpec> out;
  if (!cfg.sim) return out;
  int n = 0;
  for (const auto& p : cfg.sim->positions)
    out.push_back(PositionSpec{p.symbol, p.side, p.entry_time_ms, p.entry, p.size, p.stop,
                               cfg.source + " [[sim.position]] " + std::to_string(++n)});
  return out;
}

std::vector<PositionSpec> load_positions_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the positions file");
  std::vector<PositionSpec> out;
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string at = path + ":" + std::to_string(n);
    if (line.empty() || line == "\r" || line[0] == '#') continue;
    const auto f = split(line);
    if (f.size() >= 1 && f[0] == "symbol") continue;  // the header
    if (f.size() != 6)
      throw InputError(at + ": expected 6 columns (symbol,side,entry_time,entry,size,stop), found " +
                       std::to_string(f.size()));
    PositionSpec p;
    p.origin = at;
    try {
      p.symbol = core::Symbol::parse(f[0]);
      p.side = core::parse_side(f[1]);
    } catch (const std::invalid_argument& e) {
      throw InputError(at + ": " + e.what());
    }
    if (!f[2].empty()) {
      p.entry_ms = core::parse_utc_ms(f[2]);
      if (!p.entry_ms) throw InputError(at + ": entry_time \"" + f[2] + "\" is not a UTC time or milliseconds");
    }
    auto price = [&](const std::string& text, const char* name) {
      auto v = core::Price::try_parse(text);
      if (!v || !v->is_positive()) throw InputError(at + ": " + name + " \"" + text + "\" is not a positive decimal");
      return *v;
    };
    p.entry = price(f[3], "entry");
    const auto size = core::Qty::try_parse(f[4]);
    if (!size || !size->is_positive()) throw InputError(at + ": size \"" + f[4] + "\" is not a positive decimal");
    p.size = *size;
    if (!f[5].empty()) p.stop = price(f[5], "stop");
    out.push_back(p);
  }
  if (out.empty()) throw InputError(path + ": no positions in the file");
  return out;
}

}  // namespace ptp::replay
