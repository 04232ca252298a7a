// The embedded simulator served over Gate.io's futures API v4 (settle usdt) on 127.0.0.1: REST under
// /api/v4 (contracts, positions, orders with their `text` ids, price-triggered orders, the
// KEY/Timestamp/SIGN checks, labels and rate-limit headers) and the websocket /v4/ws/usdt
// (futures.tickers, futures.ping, the authenticated futures.orders / autoorders / positions):
// GateioFace on the loopback transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sim/gateio/face.hpp"
#include "sim/loopback_server.hpp"

namespace ptp::exchange::loopback {

struct GateioServerOptions {
  GateioFaceOptions face;
  std::chrono::milliseconds tick_interval{0};  // > 0: the server steps the price path itself
  std::uint16_t port = 0;                      // 0: the OS picks
};

class GateioServer : public LoopbackServer {
 public:
  explicit GateioServer(std::shared_ptr<SimExchange> sim, GateioServerOptions options = {});
  std::string api_url() const { return rest_url() + "/api/v4"; }  // the adapter's rest_url
  std::string futures_ws_url() const { return ws_url() + "/v4/ws/usdt"; }  // the adapter's ws_url
};

}  // namespace ptp::exchange::loopback
