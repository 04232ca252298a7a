// The embedded simulator served over Binance's USDT-M wire protocol on 127.0.0.1: REST (the
// endpoints the adapter uses, with Binance's parameters, HMAC signature and recvWindow checks,
// error codes and JSON shapes) and websockets (/market and /public combined streams, /private user
// data by listenKey; the retired pre-2026 /stream URL accepts and then stays silent, like the real
// one): BinanceFace on the loopback transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/loopback_server.hpp"

namespace ptp::exchange::loopback {

struct BinanceServerOptions {
  std::string api_key = "ptp-sim-api-key";
  std::string secret = "ptp-sim-api-secret";
  // Keys also accepted, each with the same secret: clients of one account told apart by their key
  // (the cluster tests: which node sent an order).
  std::vector<std::string> more_api_keys;
  bool hedge_mode = true;                 // false: one-way mode (positionSide BOTH)
  std::chrono::milliseconds tick_interval{0};  // > 0: the server steps the price path itself
  std::uint16_t port = 0;                 // 0: the OS picks
};

class BinanceServer : public LoopbackServer {
 public:
  explicit BinanceServer(std::shared_ptr<SimExchange> sim, BinanceServerOptions options = {});
};

}  // namespace ptp::exchange::loopback
