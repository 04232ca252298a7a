// Gate.io's documented examples that more than one test reads.
#pragma once

#include <string>

namespace ptp::test::gateio_docs {

// One position as Gate's futures websocket docs show it (the futures.positions update; the REST
// positions rows carry the same fields): averaged prices with more than 8 decimals, a PnL in
// exponent notation.
inline const std::string kPositionRow = R"({
  "contract": "BTC_USD",
  "cross_leverage_limit": 0,
  "entry_price": 40000.36666661111,
  "history_pnl": -0.000108569505,
  "history_point": 0,
  "last_close_pnl": -0.000050123368,
  "leverage": 0,
  "leverage_max": 100,
  "liq_price": 0.1,
  "maintenance_rate": 0.005,
  "margin": 49.999890611186,
  "mode": "single",
  "realised_pnl": -1.25e-8,
  "realised_point": 0,
  "risk_limit": 100,
  "size": 3,
  "time": 1628736848,
  "time_ms": 1628736848321,
  "user": "110xxxxx",
  "update_id": 170919
})";

}  // namespace ptp::test::gateio_docs
