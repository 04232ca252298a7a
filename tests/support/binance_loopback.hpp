// A simulator served over Binance's protocol on 127.0.0.1, and the adapter pointed at it: the
// pieces the Binance tests share.
#pragma once

#include <chrono>
#include <map>
#include <memory>

#include "core/config/config.hpp"
#include "core/tick.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "sim/binance/server.hpp"
#include "sim/sim_exchange.hpp"
#include "tick_waiter.hpp"
#include "venue_loopback.hpp"

namespace ptp::test {

// The venues' shared account (venue_loopback.hpp) with Binance's instruments: ETH long 1.5 @ 2000
// with the user's stop at 1950 (1R = 50), BTC with no position.
inline std::shared_ptr<exchange::SimExchange> binance_sim() {
  return std::make_shared<exchange::SimExchange>(
      *config::parse_config(venue_sim_toml(BinanceProtocol::eth_sizes), "binance-sim.toml").sim);
}

struct BinanceLoopback {
  std::shared_ptr<exchange::SimExchange> sim = binance_sim();
  exchange::loopback::BinanceServer server;
  explicit BinanceLoopback(exchange::loopback::BinanceServerOptions o = {}) : server(sim, std::move(o)) {}

  std::unique_ptr<exchange::binance::RestClient> rest(const std::string& secret = "ptp-sim-api-secret") const {
    return std::make_unique<exchange::binance::RestClient>(
        server.rest_url(), exchange::Credentials{"ptp-sim-api-key", secret}, std::chrono::seconds(5));
  }
  std::shared_ptr<exchange::binance::BinanceExchange> adapter() const {
    return std::make_shared<exchange::binance::BinanceExchange>(rest());
  }
  std::vector<core::OrderState> closes() const {
    std::vector<core::OrderState> out;
    for (const auto& o : sim->order_log())
      if (o.kind == core::OrderKind::market_close) out.push_back(o);
    return out;
  }
};

}  // namespace ptp::test
