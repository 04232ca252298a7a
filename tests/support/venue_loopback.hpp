// One exchange's protocol on loopback, for tests that run the same scenario over every venue: the
// simulator with that venue's kind of instruments, served by the venue's protocol face, and the
// node's own venue (exchange::make_venue, the adapter and its feeds) pointed at it.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.hpp"
#include "exchange/venue.hpp"
#include "sim/binance/server.hpp"
#include "sim/gateio/server.hpp"
#include "sim/sim_exchange.hpp"
#include "plan_toml.hpp"

namespace ptp::test {

// ETH long 1.5 @ 2000 with the user's stop at 1950 (1R = 50), BTC with no position; `eth_sizes` is
// the ETH instrument's sizing (Binance's base-unit steps or Gate.io's contracts).
inline std::string venue_sim_toml(const std::string& eth_sizes) {
  return R"(
[node]
exchange = "sim"
account = "t"
mode = "execute"
storage_path = "unused"
symbols = ["ETH", "BTC"]
)" + trailing_plan_toml() + R"(
[sim]
seed = 3
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
)" + eth_sizes + R"(
[[sim.instrument]]
symbol = "BTC"
tick_size = "0.1"
step_size = "0.001"
start_price = "60000"
[[sim.position]]
symbol = "ETH"
side = "long"
entry = "2000"
size = "1.5"
stop = "1950"
)";
}

struct BinanceProtocol {
  static constexpr core::Exchange venue = core::Exchange::binance;
  static constexpr const char* eth_sizes = "step_size = \"0.001\"\nmin_qty = \"0.001\"\nmax_qty = \"100\"\nmin_notional = \"5\"";
  static constexpr const char* close_id_prefix = "ptp-";  // how the node's close ids travel
  using Server = exchange::loopback::BinanceServer;
  // `more_api_keys`: keys also accepted with the same secret (clients told apart by their key).
  static std::unique_ptr<Server> serve(std::shared_ptr<exchange::SimExchange> sim,
                                       std::vector<std::string> more_api_keys = {}) {
    exchange::loopback::BinanceServerOptions o;
    o.more_api_keys = std::move(more_api_keys);
    return std::make_unique<Server>(sim, o);
  }
  static std::string rest_url(const Server& s) { return s.rest_url(); }
  static std::string ws_url(const Server& s) { return s.ws_url(); }
};

struct GateioProtocol {
  static constexpr core::Exchange venue = core::Exchange::gateio;
  static constexpr const char* eth_sizes = "contract_size = \"0.01\"\nmax_contracts = 10000";  // ETH_USDT's multiplier
  static constexpr const char* close_id_prefix = "t-p";
  using Server = exchange::loopback::GateioServer;
  static std::unique_ptr<Server> serve(std::shared_ptr<exchange::SimExchange> sim,
                                       std::vector<std::string> more_api_keys = {}) {
    exchange::loopback::GateioServerOptions o;
    o.face.more_api_keys = std::move(more_api_keys);
    return std::make_unique<Server>(sim, o);
  }
  static std::string rest_url(const Server& s) { return s.api_url(); }
  static std::string ws_url(const Server& s) { return s.futures_ws_url(); }
};

// A Gate.io account in dual mode (dual_long and dual_short positions per contract).
struct GateioDualProtocol : GateioProtocol {
  static std::unique_ptr<Server> serve(std::shared_ptr<exchange::SimExchange> sim,
                                       std::vector<std::string> more_api_keys = {}) {
    exchange::loopback::GateioServerOptions o;
    o.face.more_api_keys = std::move(more_api_keys);
    o.face.dual_mode = true;
    return std::make_unique<Server>(sim, o);
  }
};

template <class Protocol>
struct VenueLoopback {
  config::Config sim_config = config::parse_config(venue_sim_toml(Protocol::eth_sizes), "venue-sim.toml");
  std::shared_ptr<exchange::SimExchange> sim = std::make_shared<exchange::SimExchange>(*sim_config.sim);
  std::unique_ptr<typename Protocol::Server> server = Protocol::serve(sim);

  // The node's config for this venue, its endpoints on the loopback server. The key pair is the
  // simulator's built-in one (loopback only, not a secret); `secret_env` may name another.
  config::Config node_config(const std::string& secret_env = "PTP_TEST_API_SECRET") const {
    ::setenv("PTP_TEST_API_KEY", "ptp-sim-api-key", 1);
    ::setenv("PTP_TEST_API_SECRET", "ptp-sim-api-secret", 1);
    ::setenv("PTP_TEST_WRONG_SECRET", "not-the-secret", 1);
    config::Config c = sim_config;
    c.exchange = Protocol::venue;
    c.sim.reset();
    c.endpoints = config::ExchangeEndpoints{Protocol::rest_url(*server), Protocol::ws_url(*server), "PTP_TEST_API_KEY",
                                            secret_env};
    return c;
  }
  std::unique_ptr<exchange::Venue> venue(const std::string& secret_env = "PTP_TEST_API_SECRET") const {
    return exchange::make_venue(node_config(secret_env));
  }
};

}  // namespace ptp::test
