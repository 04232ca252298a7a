// A simulator served over Binance's protocol on 127.0.0.1, and the adapter pointed at it: the
// pieces the Binance tests share. Also a tick sink the tests can wait on (a condition variable,
// not a sleep: a websocket frame has no reply to await).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "core/config/config.hpp"
#include "core/tick.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "exchange/loopback/binance_server.hpp"
#include "exchange/sim_exchange.hpp"

namespace ptp::test {

// ETH long 1.5 @ 2000 with the user's stop at 1950 (1R = 50), BTC with no position.
inline const char* kBinanceSim = R"(
[node]
exchange = "sim"
account = "t"
mode = "execute"
storage_path = "unused"
symbols = ["ETH", "BTC"]
[sim]
seed = 3
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
step_size = "0.001"
min_qty = "0.001"
max_qty = "100"
min_notional = "5"
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

inline std::shared_ptr<exchange::SimExchange> binance_sim() {
  return std::make_shared<exchange::SimExchange>(*config::parse_config(kBinanceSim, "binance-sim.toml").sim);
}

struct BinanceLoopback {
  std::shared_ptr<exchange::SimExchange> sim = binance_sim();
  exchange::loopback::BinanceServer server;
  explicit BinanceLoopback(exchange::loopback::BinanceServerOptions o = {}) : server(sim, std::move(o)) {}

  std::unique_ptr<exchange::binance::RestClient> rest(const std::string& secret = "ptp-sim-api-secret") const {
    return std::make_unique<exchange::binance::RestClient>(
        server.rest_url(), exchange::binance::Credentials{"ptp-sim-api-key", secret}, std::chrono::seconds(5));
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

class TickWaiter {
 public:
  void operator()(const core::PriceTick& t) {
    {
      std::lock_guard lock(mu_);
      last_[t.symbol] = t.price;
      ++count_;
    }
    cv_.notify_all();
  }
  // True once `symbol` has been seen at `price` (within `timeout`).
  bool wait_for(const core::Symbol& symbol, core::Price price, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      auto it = last_.find(symbol);
      return it != last_.end() && it->second == price;
    });
  }
  std::uint64_t count() {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<core::Symbol, core::Price> last_;
  std::uint64_t count_ = 0;
};

// A websocket subscription is live some time after the handshake, with no message to await:
// moves the mark one tick at a time until a move comes through the stream (at most ~10 s).
inline bool move_until_streamed(exchange::loopback::BinanceServer& server, TickWaiter& ticks, const core::Symbol& s) {
  core::Price p = server.sim().mark_price(s);
  const core::Price tick = server.sim().filters(s).tick_size;
  for (int i = 0; i < 200; ++i) {
    p = p + tick;
    server.set_mark(s, p);
    if (ticks.wait_for(s, p, std::chrono::milliseconds(50))) return true;
  }
  return false;
}

}  // namespace ptp::test
