// What the replay's command-line tests share: a config with an ETH long and a BTC short (the
// default plan), an ETH recording and BTC one-minute klines that cover them.
#pragma once

#include <cstdint>
#include <string>

#include "../support/plan_toml.hpp"

namespace ptp::test {

inline const std::string kReplayConfig = R"(
[node]
exchange = "sim"
account = "replay"
mode = "execute"
storage_path = "unused"
symbols = ["ETH", "BTC"]
)" + trailing_plan_toml() + R"(
[sim]
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
step_size = "0.001"
[[sim.instrument]]
symbol = "BTC"
tick_size = "0.1"
step_size = "0.001"
[[sim.position]]
symbol = "ETH"
side = "long"
entry = "2000"
size = "3"
stop = "1950"
entry_time = "2024-01-01T00:00:00Z"
[[sim.position]]
symbol = "BTC"
side = "short"
entry = "42000"
size = "0.3"
stop = "42400"
entry_time = 1704067200000
)";

// ETH from 2000 up to 2200 and back to 2140, one price a second.
inline std::string eth_recording() {
  std::string out = "ts_ms,symbol,price\n";
  std::int64_t ms = 1704067200000;
  for (const char* p : {"2000", "2030", "2105", "2140", "2160", "2180", "2182", "2200", "2140", "2120"})
    out += std::to_string(ms += 1000) + ",ETH_USDT," + p + "\n";
  return out;
}

// BTC one-minute bars falling from 42000 to 39500 (Binance's kline columns, no header).
inline std::string btc_klines() {
  std::string out;
  std::int64_t open = 1704067200000;
  int price = 42000;
  for (int i = 0; i < 12; ++i, open += 60000, price -= 200)
    out += std::to_string(open) + "," + std::to_string(price) + "," + std::to_string(price + 50) + "," +
           std::to_string(price - 250) + "," + std::to_string(price - 200) + ",1," + std::to_string(open + 59999) +
           ",1,1,1,1,0\n";
  return out;
}

}  // namespace ptp::test
