#include "sim/gateio/server.hpp"

namespace ptp::exchange::loopback {

GateioServer::GateioServer(std::shared_ptr<SimExchange> sim, GateioServerOptions options)
    : LoopbackServer(sim, std::make_unique<GateioFace>(sim, options.face), options.tick_interval, options.port) {}

}  // namespace ptp::exchange::loopback
