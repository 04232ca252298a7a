#include "sim/binance/server.hpp"

#include "sim/binance/face.hpp"

namespace ptp::exchange::loopback {

BinanceServer::BinanceServer(std::shared_ptr<SimExchange> sim, BinanceServerOptions options)
    : LoopbackServer(sim, std::make_unique<BinanceFace>(sim, options), options.tick_interval, options.port) {}

}  // namespace ptp::exchange::loopback
