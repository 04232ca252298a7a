// The positions a replay opens: those the config declares ([[sim.position]], with an optional
// entry_time) or the rows of a positions CSV file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace ptp::replay {

struct PositionSpec {
  core::Symbol symbol{"BTC", "USDT"};
  core::Side side = core::Side::long_;
  std::optional<std::int64_t> entry_ms;  // absent: the symbol's first price
  core::Price entry;
  core::Qty size;
  std::optional<core::Price> stop;       // absent: the config's default_stop_pct places one
  std::string origin;                    // "FILE:LINE" or "CONFIG [[sim.position]] 2", for messages
};

std::vector<PositionSpec> positions_from_config(const config::Config& cfg);

// "symbol,side,entry_time,entry,size,stop" (a header line naming these columns, in this order, is
// optional; stop may be empty; entry_time is a UTC time or milliseconds, empty: the first price).
// Throws InputError naming FILE:LINE.
std::vector<PositionSpec> load_positions_csv(const std::string& path);

}  // namespace ptp::replay
